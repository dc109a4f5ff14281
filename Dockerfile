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

# Run: Tesseract with the Chinese and orientation data, nothing else.
FROM debian:bookworm-slim
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libtesseract5 tesseract-ocr-chi-sim tesseract-ocr-eng tesseract-ocr-osd ca-certificates \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /var/lib/shenbao shenbao \
    && mkdir -p /var/lib/shenbao && chown shenbao /var/lib/shenbao
COPY --from=build /out/shenbao /usr/local/bin/shenbao
USER shenbao
WORKDIR /var/lib/shenbao
ENTRYPOINT ["shenbao"]
CMD ["help"]
