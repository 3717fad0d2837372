#!/usr/bin/env bash
# The main job on the bundled example study: a fresh project in example-output/, the
# Kvalitetsmodellen codebook, the cases' attributes, the transcripts, two coders' codings,
# the pseudonym key, then a summary and the exports, which replace every name by its
# pseudonym; the leak check reads every export at the end. Every step is a plain qualcode
# command, printed before it runs.
set -euo pipefail
cd "$(dirname "$0")/.."

out=example-output
export QUALCODE_PROJECT="$out/example.qualcode.db"
rm -rf "$out"
mkdir -p "$out"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step qualcode init
step qualcode codebook validate codebooks/kvalitetsmodellen.yaml
step qualcode codebook load codebooks/kvalitetsmodellen.yaml
step qualcode attributes import transcripts_example/attributes.yaml
step qualcode import transcripts_example/
step qualcode coding import transcripts_example/codings_nordvik.csv transcripts_example/codings_vestbo.csv
step qualcode pseudonyms import transcripts_example/pseudonyms.yaml
step qualcode pseudonyms list
step qualcode agreement --coders anna,bjorn
qualcode agreement --coders anna,bjorn --format json > "$out/agreement.json"
step qualcode export agreement "$out/agreement.docx"
step qualcode export agreement "$out/agreement.html"
step qualcode transcripts
step qualcode status
step qualcode matrix --rows kvalitetsmodellen --depth 0 --cols skoleslag --cell references --cell informants
step qualcode export report "$out/rapport.docx"
step qualcode export matrix "$out/matrise.xlsx" --rows kvalitetsmodellen --cols rolle --cols skoleslag --cell references --cell informants --cell coverage
step qualcode export matrix "$out/sitater.xlsx" --rows kvalitetsmodellen --depth 0 --cols site --cell quotes
step qualcode export presence "$out/tilstede.csv"
step qualcode export qdpx "$out/studie.qdpx"
step qualcode export transcripts "$out/transkripsjoner" --as txt --as docx
qualcode quotes LED --format json > "$out/sitater-LED.json"

qualcode status --format json > "$out/status.json"
qualcode transcripts --format csv > "$out/transcripts.csv"
qualcode cases --show persons --format csv > "$out/persons.csv"
qualcode codebook show --format csv > "$out/codebook.csv"
# Every output leaves the project without a name from the key (exit status 1 if one does):
# the exports, and the lists (status, transcripts, persons), which apply the key too.
step qualcode pseudonyms check "$out/rapport.docx" "$out/agreement.docx" "$out/agreement.html" \
  "$out/agreement.json" "$out/matrise.xlsx" "$out/sitater.xlsx" "$out/tilstede.csv" \
  "$out/studie.qdpx" "$out/sitater-LED.json" "$out/status.json" "$out/transcripts.csv" \
  "$out/persons.csv" "$out/codebook.csv" "$out"/transkripsjoner/*
printf '\nProject: %s\nThe Word report: %s/rapport.docx (matrices: matrise.xlsx, sitater.xlsx)\nThe agreement report: %s/agreement.docx and agreement.html (numbers: agreement.json)\nPseudonymised: every output above, studie.qdpx, tilstede.csv, transkripsjoner/ and the lists status.json, transcripts.csv, persons.csv, codebook.csv\n' \
  "$QUALCODE_PROJECT" "$out" "$out"
