# shenbao — build, demo, test and benchmark on a Debian machine.
# `make demo` and `make test` install what they need (as root) on a fresh one.

GO      ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
BIN     := bin/shenbao
DEBS    := libtesseract-dev libleptonica-dev tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng \
           tesseract-ocr-osd poppler-utils qpdf postgresql libreoffice-writer-nogui \
           chromium fonts-wqy-microhei fonts-noto-cjk
SAMPLES := testdata/corpus/nat2024_01_docx.docx testdata/corpus/gd2023_03_pdf.pdf

.PHONY: deps build demo test bench fuzz clean

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

build: deps
	$(GO) build -o $(BIN) ./cmd/shenbao

# The main job on the embedded default: check sample applications.
demo: build
	./$(BIN) editions
	./$(BIN) check $(SAMPLES)

# Every test; then the packages that must not need cgo (only extract/ocr,
# render and their callers hold C code) build and test without it.
test: deps
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...
	CGO_ENABLED=0 $(GO) vet ./...
	CGO_ENABLED=0 $(GO) test -count=1 ./layout/... ./criteria/... ./extract/scan/

# Accuracy tables (per edition and format, scans per dpi), defect recall,
# and the speed/memory benchmarks, written to docs/benchmarks.md with the
# commit and machine (docs/bench.sh). Scans make this take several minutes.
bench: deps
	GO=$(GO) sh docs/bench.sh

fuzz: deps
	$(GO) test -run '^$$' -fuzz FuzzRead -fuzztime 60s ./extract/docx/

clean:
	rm -rf bin
