"""The project's code tree as a REFI-QDA codebook (.qdc), so a codebook can travel between
qualcode, NVivo, ATLAS.ti, MAXQDA and QualCoder on its own.

The codes are written exactly as in a .qdpx export (same GUIDs, the qualcode id and fields
in each description), in the codebook namespace ``urn:QDA-XML:codebook:1.0``; reading a
.qdc back is :func:`qualcode.services.refi_import.codebook_from_refi`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from qualcode.domain.errors import QualcodeError
from qualcode.services.refi import NS, XSI, _read, _Writer
from qualcode.store import Store

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
CODEBOOK_SCHEMA = (f"{CODEBOOK_NS} "
                   "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd")


def build_qdc(store: Store) -> tuple[bytes, int]:
    """The codebook XML and the number of codes in it."""
    from lxml import etree

    from qualcode import __version__

    study = _read(store)
    writer = _Writer(study, store.name)
    holder = etree.Element("holder")
    writer._codebook(holder)
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", CODEBOOK_SCHEMA)
    root.set("origin", f"qualcode {__version__}")
    codes = holder.find(f"{{{NS}}}CodeBook/{{{NS}}}Codes")
    if codes is None:
        codes = etree.Element(f"{{{NS}}}Codes")
    # Memos are notes of the project, which a codebook file does not carry.
    for ref in codes.findall(f".//{{{NS}}}NoteRef"):
        ref.getparent().remove(ref)
    for element in codes.iter():
        element.tag = element.tag.replace(f"{{{NS}}}", f"{{{CODEBOOK_NS}}}")
    root.append(codes)
    etree.cleanup_namespaces(root)
    body = etree.tostring(root, encoding="utf-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n' + body, len(study.codes)


def write_qdc(store: Store, path: Path) -> int:
    """Write the codebook to ``path`` (.qdc) atomically; returns the number of codes."""
    path = Path(path)
    if path.suffix.lower() != ".qdc":
        raise QualcodeError(f"'{path}' is not a .qdc file name",
                            hint="give a name ending in .qdc, e.g. kodebok.qdc")
    if not path.parent.is_dir():
        raise QualcodeError(f"no folder '{path.parent}' to write {path.name} in")
    data, count = build_qdc(store)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)  # mkstemp makes the file private; a codebook is for sharing
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return count
