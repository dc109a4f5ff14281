// Package bulk checks whole archives: it walks folders and zip files for
// applications, processes them with a worker pool, caches every extraction
// by content hash so a rule change re-checks thousands of files in seconds,
// runs the checks across applications, and writes the results as xlsx, csv
// or jsonl.
package bulk

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/filetype"
)

// Item is one document to process: a file, or a member of a zip archive
// (Path "archive.zip!/dir/file.docx").
type Item struct {
	Path string
	Size int64
	open func() ([]byte, error)
}

// Read returns the item's bytes.
func (it Item) Read() ([]byte, error) { return it.open() }

// Failure is a document that could not be processed, with the reason.
type Failure struct {
	Path string `json:"path"`
	Code string `json:"code"`
	Err  string `json:"error"`
}

// Walk lists the documents under paths (files, folders walked recursively,
// zip archives opened), in a stable order. Files it cannot open are
// failures, not errors: one bad file never stops a bulk run.
func Walk(paths []string, maxBytes int64) ([]Item, []Failure) {
	var items []Item
	var fails []Failure
	add := func(path string, info fs.FileInfo) {
		ext := strings.ToLower(filepath.Ext(path))
		switch {
		case ext == ".zip":
			zi, zf := walkZip(path, maxBytes)
			items, fails = append(items, zi...), append(fails, zf...)
		case filetype.KnownExt(path):
			if maxBytes > 0 && info.Size() > maxBytes {
				fails = append(fails, tooLarge(path, maxBytes))
				return
			}
			p := path
			items = append(items, Item{Path: p, Size: info.Size(), open: func() ([]byte, error) { return os.ReadFile(p) }})
		}
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			fails = append(fails, Failure{Path: root, Code: shenbao.ENOTFOUND, Err: "无法读取 / cannot read: " + err.Error()})
			continue
		}
		if !info.IsDir() {
			if ext := strings.ToLower(filepath.Ext(root)); ext != ".zip" && !filetype.KnownExt(root) {
				// Named explicitly: let the content decide and report it.
				p := root
				items = append(items, Item{Path: p, Size: info.Size(), open: func() ([]byte, error) { return os.ReadFile(p) }})
				continue
			}
			add(root, info)
			continue
		}
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				fails = append(fails, Failure{Path: path, Code: shenbao.ENOTFOUND, Err: err.Error()})
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if info, err := d.Info(); err == nil && info.Mode().IsRegular() {
				add(path, info)
			}
			return nil
		})
	}
	// Paths are shown and written to the outputs; the files are opened by
	// their real names, which the open functions keep.
	for i := range items {
		items[i].Path = shenbao.ShownName(items[i].Path)
	}
	for i := range fails {
		fails[i].Path = shenbao.ShownName(fails[i].Path)
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].Path < items[j].Path })
	return items, fails
}

func tooLarge(path string, maxBytes int64) Failure {
	return Failure{Path: path, Code: shenbao.ETOOLARGE, Err: fmt.Sprintf("文件超过 %d MB 的上限 / larger than the %d MB limit", maxBytes>>20, maxBytes>>20)}
}

// walkZip lists the documents inside a zip. Nested zips are not opened:
// archives of archives are not how applications are filed, and they are
// how zip bombs are built.
func walkZip(path string, maxBytes int64) ([]Item, []Failure) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, []Failure{{Path: path, Code: shenbao.EINVALID, Err: "压缩包损坏 / damaged zip: " + err.Error()}}
	}
	// The reader stays open for the run; members are read on demand.
	var items []Item
	var fails []Failure
	for _, f := range zr.File {
		name := decodeName(f)
		if f.FileInfo().IsDir() || !filetype.KnownExt(name) {
			continue
		}
		p := path + "!/" + name
		if maxBytes > 0 && f.UncompressedSize64 > uint64(maxBytes) {
			fails = append(fails, tooLarge(p, maxBytes))
			continue
		}
		f := f
		items = append(items, Item{Path: p, Size: int64(f.UncompressedSize64), open: func() ([]byte, error) {
			rc, err := f.Open()
			if err != nil {
				return nil, err
			}
			defer rc.Close()
			// The declared size can lie: read at most one byte past it.
			data, err := io.ReadAll(io.LimitReader(rc, int64(f.UncompressedSize64)+1))
			if err != nil {
				return nil, err
			}
			if uint64(len(data)) > f.UncompressedSize64 || maxBytes > 0 && int64(len(data)) > maxBytes {
				return nil, shenbao.Errorf(shenbao.ETOOLARGE, "压缩包成员大小与声明不符 / zip member larger than declared")
			}
			return data, nil
		}})
	}
	return items, fails
}

// decodeName returns a member's name. Zips made on Chinese Windows store
// names in GBK without the UTF-8 flag.
func decodeName(f *zip.File) string {
	if !f.NonUTF8 || utf8.ValidString(f.Name) {
		return f.Name
	}
	if s, err := simplifiedchinese.GBK.NewDecoder().String(f.Name); err == nil {
		return s
	}
	return f.Name
}
