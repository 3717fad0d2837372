"""QualCoder's own import of a folder of .txt transcripts, driven without a display.

Run with an interpreter that has QualCoder's requirements installed:

    QC_PYTHON benchmarks/peers/qualcoder_import.py QUALCODER_SRC TXT_DIR OUT_DIR

QUALCODER_SRC is the folder holding QualCoder's ``qualcoder`` package. The script starts
what the application starts (Qt, ``qualcoder.__main__`` with everything it imports, the
``App``), makes a project folder with the tables ``new_project`` creates, read from
QualCoder's own source at run time, and then imports every file as the file manager's
``import_files`` does for a .txt file: the file is copied into the project's documents
folder and read by ``DialogManageFiles.load_file_text``. It prints one line of JSON: the
files and characters stored, and CPU and wall seconds of the start and of the import.
"""

import builtins
import inspect
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path


def main() -> None:
    source, txt_dir, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    wall0, cpu0 = time.perf_counter(), time.process_time()
    sys.path.insert(0, source)
    if not hasattr(builtins, "_"):  # the translation function QualCoder's start installs
        builtins._ = lambda text: text
    from PyQt6 import QtWidgets

    application = QtWidgets.QApplication([])
    import qualcoder.__main__ as qualcoder_main  # what the application loads when it starts
    from qualcoder.app import App
    from qualcoder.manage_files import DialogManageFiles

    app = App()
    app.settings["ai_enable"] = "False"  # no language model: the import alone is timed
    app.settings["codername"] = "benchmark"
    if out.exists():
        shutil.rmtree(out)
    project = out / "benchmark.qda"
    (project / "documents").mkdir(parents=True)
    app.create_connection(str(project))
    # The schema of a new project, read from QualCoder's new_project: each
    # cur.execute("CREATE TABLE …" "…") of string literals.
    made = 0
    for literals in re.findall(r"cur\.execute\(\s*((?:\"[^\"]*\"\s*)+)\)",
                               inspect.getsource(qualcoder_main.MainWindow.new_project)):
        sql = "".join(re.findall(r"\"([^\"]*)\"", literals))
        if sql.startswith("CREATE TABLE"):
            app.conn.execute(sql)
            made += 1
    if not made:
        sys.exit("no CREATE TABLE found in QualCoder's new_project")
    app.conn.commit()
    dialog = DialogManageFiles.__new__(DialogManageFiles)
    dialog.app = app
    dialog.av_dialog_open = None
    dialog.source = []
    dialog.parent_text_edit = QtWidgets.QTextEdit()
    dialog.pdf_import_code_highlights = None
    wall1, cpu1 = time.perf_counter(), time.process_time()
    for path in sorted(txt_dir.glob("*.txt")):
        shutil.copyfile(path, project / "documents" / path.name)
        if not dialog.load_file_text(str(path), notify=False):
            sys.exit(f"QualCoder did not import {path.name}")
    wall2, cpu2 = time.perf_counter(), time.process_time()
    files, characters = app.conn.execute(
        "SELECT count(*), sum(length(fulltext)) FROM source").fetchone()
    application.quit()
    print(json.dumps({"files": files, "characters": characters, "tables": made,
                      "start_cpu": round(cpu1 - cpu0, 3), "start_wall": round(wall1 - wall0, 3),
                      "import_cpu": round(cpu2 - cpu1, 3),
                      "import_wall": round(wall2 - wall1, 3)}))


if __name__ == "__main__":
    main()
