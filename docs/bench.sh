#!/bin/sh
# Writes docs/benchmarks.md: every accuracy table and benchmark `make bench`
# runs, with the commit and the machine they ran on, so the README keeps
# one current table and the log lives here. Run from the repository root.
GO=${GO:-go}
out=docs/benchmarks.md
tmp=$out.tmp
rev="unknown (no git checkout)"
if r=$(git rev-parse --short HEAD 2>/dev/null); then
	rev=$r
	git diff --quiet HEAD || rev="$rev + uncommitted changes"
fi

# run TITLE CMD…: the command and its output (less go test's RUN lines)
# in a block, and its exit status when it failed.
run() {
	title=$1
	shift
	printf '\n## %s\n\n```\n$ %s\n' "$title" "$*"
	"$@" >"$tmp.part" 2>&1
	status=$?
	grep -v '^=== RUN' "$tmp.part"
	printf '```\n'
	[ $status -eq 0 ] || printf '\nexit status %d\n' "$status"
	rm -f "$tmp.part"
}

{
	printf '# Benchmarks\n\n'
	printf 'Written by `make bench` (docs/bench.sh); rerun it rather than edit. Commit %s, %s, %s cores, %s.\n' \
		"$rev" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(uname -sm)"
	printf 'Timings on a shared VM drift by about ±15 %% between runs of the same code.\n'
	run "Scans: accuracy on the corpus" env SHENBAO_SCANS=1 "$GO" test -count=1 -timeout 60m -run TestCorpusAccuracy -v ./extract/
	run "Scans: rougher copies" env SHENBAO_ROUGH=1 "$GO" test -count=1 -timeout 60m -run TestRoughScans -v ./extract/
	run "Digital: held-out set and office exports (as PDF and as 200-dpi images)" env SHENBAO_EXPORTS=1 SHENBAO_SCANS=1 "$GO" test -count=1 -timeout 120m -run 'TestHeldOutDigital|TestOfficeExports|TestOfficeExportScans' -v ./extract/
	run "Value cells: Tesseract, PP-OCR and both per kind and dpi" env SHENBAO_CELLS=1 "$GO" test -count=1 -timeout 60m -run TestValueCells -v ./extract/
	run "Scans: ticks on the lab's copies" env SHENBAO_LAB=1 "$GO" test -count=1 -timeout 60m -run TestScanLab -v ./extract/
	run "Defect recall" env SHENBAO_SCANS=1 "$GO" test -count=1 -timeout 60m -run TestDefectRecall -v ./pipeline/
	run "Extraction speed" "$GO" test -run '^$' -bench Extract -benchtime 20x ./extract/
	run "Readers" "$GO" test -run '^$' -bench . -benchtime 20x ./extract/docx/ ./extract/pdftext/
	run "Bulk: 1000 documents" "$GO" test -run '^$' -bench 'Bulk1000$' -benchtime 1x ./bulk/
	run "Bulk: 10,000 Word applications, cold and re-checked from the cache" "$GO" test -run '^$' -bench 'Bulk10000$' -benchtime 1x -timeout 3h ./bulk/
	run "Service: 50 clients uploading while two workers extract (SQLite, PostgreSQL)" "$GO" test -run '^$' -bench 'Load' -benchtime 1x -timeout 60m ./api/
	run "Scans: seconds per page beside plain and single-thread Tesseract (the corpus's 200- and 300-dpi scans)" "$GO" test -run '^$' -bench ScanCorpus -benchtime 1x -timeout 90m ./extract/
	run "Scans: seconds per page at 150 dpi (copies of three 200-dpi scans) beside single-thread Tesseract" env SCAN_DPI=150 SCAN_DOCS='gd2023_05|nat2024_05|cq2024_05' SCAN_BASELINE=single "$GO" test -run '^$' -bench ScanCorpus -benchtime 1x -timeout 60m ./extract/
} >"$tmp"
mv "$tmp" "$out"
cat "$out"
