#!/usr/bin/env bash
# Render a Word file the way a reader will see it: LibreOffice (headless) → PDF → one PNG
# per page, so the pages can be looked at before the report is handed in.
#
#   scripts/check_report_render.sh report.docx [OUTDIR] [DPI]
#
# Needs LibreOffice Writer and poppler-utils (pdftoppm); on Debian/Ubuntu:
#   apt-get install -y libreoffice-writer poppler-utils fonts-crosextra-carlito
# This is an optional visual check, not part of the test suite.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 REPORT.docx [OUTDIR] [DPI]" >&2
    exit 2
fi
docx=$1
[ -f "$docx" ] || { echo "error: no file $docx" >&2; exit 1; }
stem=$(basename "${docx%.*}")
outdir=${2:-"$(dirname "$docx")/${stem}-pages"}
dpi=${3:-70}

office=$(command -v soffice || command -v libreoffice || true)
if [ -z "$office" ]; then
    echo "error: LibreOffice is not installed (apt-get install -y libreoffice-writer)" >&2
    exit 1
fi
command -v pdftoppm >/dev/null || {
    echo "error: pdftoppm is not installed (apt-get install -y poppler-utils)" >&2; exit 1; }

mkdir -p "$outdir"
rm -f "$outdir/$stem".pdf "$outdir/$stem"-page-*.png
# A private profile: a LibreOffice already open on this machine does not block the run.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$office" -env:UserInstallation=file://"$profile" --headless --convert-to pdf \
    --outdir "$outdir" "$docx" >/dev/null 2>&1
pdf="$outdir/$stem.pdf"
[ -f "$pdf" ] || { echo "error: LibreOffice did not produce $pdf" >&2; exit 1; }
pdftoppm -r "$dpi" -png "$pdf" "$outdir/$stem-page"
pages=$(ls "$outdir/$stem"-page-*.png | wc -l)
echo "$pdf: $pages page(s) → $outdir/$stem-page-*.png"

# Every page after the title page must show its number, alone on a line of the footer,
# and no page may be nearly empty: fewer than four lines besides header and number (an
# orphaned table note, a lone heading). A table running on for a few rows is fine.
unnumbered=() sparse=()
for ((i = 2; i <= pages; i++)); do
    text=$(pdftotext -layout -f "$i" -l "$i" "$pdf" -)
    grep -qE "^[[:space:]]*$i[[:space:]]*$" <<<"$text" || unnumbered+=("$i")
    [ "$(grep -c '[^[:space:]]' <<<"$text")" -ge 6 ] || sparse+=("$i")
done
echo "pages without a number: ${unnumbered[*]:-none}; nearly empty pages: ${sparse[*]:-none}"
# Every line of the contents (a title, dot leaders, a page number) shows its page.
contents=$(pdftotext -layout -f 1 -l 3 "$pdf" - | grep -E '\.{5,}' || true)
unpaged=$(grep -cvE '\.{5,}[[:space:]]*[0-9]+[[:space:]]*$' <<<"$contents" || true)
[ -n "$contents" ] || unpaged=0
echo "contents lines: $(grep -c . <<<"$contents"), without a page number: $unpaged"
[ ${#unnumbered[@]} -eq 0 ] && [ ${#sparse[@]} -eq 0 ] && [ "$unpaged" -eq 0 ]
