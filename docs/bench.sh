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

# BENCH_ONLY=WORD runs only the sections whose title holds WORD (e.g.
# BENCH_ONLY='Value cells') and puts each in place of the section of that
# title in docs/benchmarks.md (or after the rest), keeping the others: a
# full run takes hours, one table need not wait for it.
only=${BENCH_ONLY:-}

# run TITLE CMD…: the command and its output (less go test's RUN lines)
# in a block, and its exit status when it failed.
run() {
	title=$1
	shift
	case $title in *"$only"*) ;; *) return 0 ;; esac
	printf '\n## %s\n\n' "$title"
	[ -z "$only" ] || printf 'Commit %s, %s, %s cores (this section alone: BENCH_ONLY).\n\n' \
		"$rev" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)"
	printf '```\n$ %s\n' "$*"
	"$@" >"$tmp.part" 2>&1
	status=$?
	grep -v '^=== RUN' "$tmp.part"
	printf '```\n'
	[ $status -eq 0 ] || printf '\nexit status %d\n' "$status"
	rm -f "$tmp.part"
}

{
	if [ -z "$only" ]; then
		printf '# Benchmarks\n\n'
		printf 'Written by `make bench` (docs/bench.sh); rerun it rather than edit. Commit %s, %s, %s cores, %s.\n' \
			"$rev" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(uname -sm)"
		printf 'Timings on a shared VM drift by about ±15 %% between runs of the same code.\n'
	fi
	run "Scans: accuracy on the corpus" env SHENBAO_SCANS=1 "$GO" test -count=1 -timeout 60m -run TestCorpusAccuracy -v ./extract/
	run "Scans: rougher copies" env SHENBAO_ROUGH=1 "$GO" test -count=1 -timeout 60m -run TestRoughScans -v ./extract/
	run "Digital: held-out set and office exports (as PDF and as 200-dpi images)" env SHENBAO_EXPORTS=1 SHENBAO_SCANS=1 "$GO" test -count=1 -timeout 120m -run 'TestHeldOutDigital|TestOfficeExports|TestOfficeExportScans' -v ./extract/
	run "Value cells: Tesseract, PP-OCR and both per kind and dpi" env SHENBAO_CELLS=1 SHENBAO_CELLS_MAX="${SHENBAO_CELLS_MAX:-300}" "$GO" test -count=1 -timeout 120m -run TestValueCells -v ./extract/
	run "Value cells: PP-OCR's integer ranges measured again (quant_ranges.json current)" env SHENBAO_CELLS=1 "$GO" test -count=1 -timeout 60m -run TestCalibratePPOCR -v ./extract/
	run "Scans: reliability of values' confidence (per band, how many right)" env SHENBAO_SCANS=1 "$GO" test -count=1 -timeout 90m -run TestConfidenceReliability -v ./extract/
	run "Scans: ticks on the lab's copies" env SHENBAO_LAB=1 "$GO" test -count=1 -timeout 60m -run TestScanLab -v ./extract/
	run "Defect recall" env SHENBAO_SCANS=1 "$GO" test -count=1 -timeout 60m -run TestDefectRecall -v ./pipeline/
	run "Extraction speed" "$GO" test -run '^$' -bench Extract -benchtime 20x ./extract/
	run "Readers" "$GO" test -run '^$' -bench . -benchtime 20x ./extract/docx/ ./extract/pdftext/
	run "Bulk: 1000 documents" "$GO" test -run '^$' -bench 'Bulk1000$' -benchtime 1x ./bulk/
	run "Bulk: 10,000 Word applications, cold and re-checked from the cache" "$GO" test -run '^$' -bench 'Bulk10000$' -benchtime 1x -timeout 3h ./bulk/
	run "Service: POST /recheck of 10,000 applications through the API (SQLite, PostgreSQL)" "$GO" test -run '^$' -bench 'Recheck' -benchtime 1x -timeout 90m ./api/
	run "Service: the reviewer's page images after upload (first page rendered ahead)" "$GO" test -run '^$' -bench ReviewerPages -benchtime 6x -timeout 30m ./api/
	run "Service: 50 clients uploading while two workers extract (SQLite, PostgreSQL)" "$GO" test -run '^$' -bench 'Load' -benchtime 1x -timeout 60m ./api/
	run "Scans: seconds per page beside plain and single-thread Tesseract (the corpus's 200- and 300-dpi scans)" "$GO" test -run '^$' -bench ScanCorpus -benchtime 1x -timeout 90m ./extract/
	run "Scans: seconds per page at 150 dpi (copies of three 200-dpi scans) beside single-thread Tesseract" env SCAN_DPI=150 SCAN_DOCS='gd2023_05|nat2024_05|cq2024_05' SCAN_BASELINE=single "$GO" test -run '^$' -bench ScanCorpus -benchtime 1x -timeout 60m ./extract/
	# gd2023_05 where the corpus is beside the repository, the two-page
	# TIFF of testdata elsewhere.
	warm=""
	[ -f ../shared/corpus/gd2023_05_scan.pdf ] && warm="$PWD/../shared/corpus/gd2023_05_scan.pdf"
	run "Scans: a warm worker against a fresh child, side by side" env SCAN_WARM_PDF="$warm" "$GO" test -run '^$' -bench WarmWorker -benchtime 5x -timeout 30m ./extract/scanpdf/
} >"$tmp"
if [ -n "$only" ] && [ -f "$out" ]; then
	# Each new section replaces the old one of its title (up to the next
	# "## " heading); a title not there yet is appended.
	awk -v new="$tmp" '
		BEGIN {
			while ((getline l < new) > 0) {
				if (l ~ /^## /) { t = l; order[++n] = t }
				if (t != "") body[t] = body[t] l "\n"
			}
		}
		/^## / { skip = ($0 in body); if (skip && !done[$0]++) printf "%s", body[$0] }
		!skip { print }
		END { for (i = 1; i <= n; i++) if (!done[order[i]]) printf "\n%s", body[order[i]] }
	' "$out" >"$tmp.merged"
	mv "$tmp.merged" "$out"
	rm -f "$tmp"
	cat "$out"
	exit 0
fi
mv "$tmp" "$out"
cat "$out"
