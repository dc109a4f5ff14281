//go:build cgo

package render

// go-fitz renders only RGBA through three full-page copies (MuPDF's pixmap,
// C.GoBytes, the image), skips annotations and form widgets, rounds page
// sizes to whole points and calls several MuPDF functions outside
// fz_try, so an exception there aborts the process. We therefore call the
// few MuPDF entry points we need ourselves: MuPDF draws straight into Go
// memory, in gray when asked, every call is inside fz_try, and the page is
// run with its annotations (ticks drawn as form fields). go-fitz still
// supplies the static MuPDF libraries (its cgo LDFLAGS) and the version
// string they were built as.
//
// The declarations below are copied from MuPDF 1.24's public headers
// (include/mupdf/fitz in the go-fitz module), which are not on our include
// path. Opaque types need no layout; the geometry structs and the try
// macros are as in geometry.h, context.h and system.h (HAVE_SIGSETJMP on
// Linux). TestInfo and TestInk fail if they ever disagree with the library.

/*
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct fz_context fz_context;
typedef struct fz_document fz_document;
typedef struct fz_page fz_page;
typedef struct fz_device fz_device;
typedef struct fz_pixmap fz_pixmap;
typedef struct fz_colorspace fz_colorspace;
typedef struct fz_separations fz_separations;
typedef struct fz_cookie fz_cookie;
typedef struct fz_buffer fz_buffer;
typedef struct fz_stext_options fz_stext_options;
typedef struct { float x0, y0, x1, y1; } fz_rect;
typedef struct { int x0, y0, x1, y1; } fz_irect;
typedef struct { float a, b, c, d, e, f; } fz_matrix;
typedef sigjmp_buf fz_jmp_buf;

fz_context *fz_new_context_imp(const void *alloc, const void *locks, size_t max_store, const char *version);
void fz_drop_context(fz_context *ctx);
void fz_register_document_handlers(fz_context *ctx);
void fz_disable_icc(fz_context *ctx);
fz_jmp_buf *fz_push_try(fz_context *ctx);
int fz_do_try(fz_context *ctx);
int fz_do_always(fz_context *ctx);
int fz_do_catch(fz_context *ctx);
const char *fz_caught_message(fz_context *ctx);
int fz_caught(fz_context *ctx);
void fz_ignore_error(fz_context *ctx);
fz_document *fz_open_document(fz_context *ctx, const char *filename);
void fz_drop_document(fz_context *ctx, fz_document *doc);
int fz_needs_password(fz_context *ctx, fz_document *doc);
int fz_count_pages(fz_context *ctx, fz_document *doc);
fz_page *fz_load_page(fz_context *ctx, fz_document *doc, int number);
void fz_drop_page(fz_context *ctx, fz_page *page);
fz_rect fz_bound_page(fz_context *ctx, fz_page *page);
fz_matrix fz_scale(float sx, float sy);
fz_rect fz_transform_rect(fz_rect rect, fz_matrix m);
fz_irect fz_round_rect(fz_rect rect);
fz_colorspace *fz_device_gray(fz_context *ctx);
fz_colorspace *fz_device_rgb(fz_context *ctx);
int fz_colorspace_n(fz_context *ctx, fz_colorspace *cs);
fz_pixmap *fz_new_pixmap_with_bbox_and_data(fz_context *ctx, fz_colorspace *cs, fz_irect rect, fz_separations *seps, int alpha, unsigned char *samples);
void fz_clear_pixmap_with_value(fz_context *ctx, fz_pixmap *pix, int value);
void fz_drop_pixmap(fz_context *ctx, fz_pixmap *pix);
fz_device *fz_new_draw_device(fz_context *ctx, fz_matrix transform, fz_pixmap *dest);
void fz_run_page(fz_context *ctx, fz_page *page, fz_device *dev, fz_matrix transform, fz_cookie *cookie);
void fz_close_device(fz_context *ctx, fz_device *dev);
void fz_drop_device(fz_context *ctx, fz_device *dev);
fz_buffer *fz_new_buffer_from_page(fz_context *ctx, fz_page *page, const fz_stext_options *options);
size_t fz_buffer_storage(fz_context *ctx, fz_buffer *buf, unsigned char **datap);
void fz_drop_buffer(fz_context *ctx, fz_buffer *buf);

#define fz_try(ctx) if (!sigsetjmp(*fz_push_try(ctx), 0)) if (fz_do_try(ctx)) do
#define fz_always(ctx) while (0); if (fz_do_always(ctx)) do
#define fz_catch(ctx) while (0); if (fz_do_catch(ctx))

// sb_caught copies the caught error's message and returns its code
// (enum fz_error_type: 2 FZ_ERROR_SYSTEM a failed allocation or system
// call, 4 FZ_ERROR_LIMIT a hard limit).
static int sb_caught(fz_context *ctx, char *err, int errlen) {
	int code = fz_caught(ctx);
	strncpy(err, fz_caught_message(ctx), errlen - 1);
	err[errlen - 1] = 0;
	// The error travels to Go; marking it handled stops MuPDF warning
	// "UNHANDLED EXCEPTION" at its next try.
	fz_ignore_error(ctx);
	return code;
}

// The sb_ functions return 0 or the code of the MuPDF error they caught,
// its message in err.

// sb_open opens path; *locked is set when it needs a password.
static int sb_open(fz_context *ctx, const char *path, fz_document **out, int *pages, int *locked, char *err, int errlen) {
	fz_document *volatile doc = NULL;
	fz_try(ctx) {
		doc = fz_open_document(ctx, path);
		*locked = fz_needs_password(ctx, doc);
		if (!*locked)
			*pages = fz_count_pages(ctx, doc);
	}
	fz_catch(ctx) {
		fz_drop_document(ctx, doc);
		return sb_caught(ctx, err, errlen);
	}
	*out = doc;
	return 0;
}

// sb_bound returns page's bounds in points and, at zoom, in pixels.
static int sb_bound(fz_context *ctx, fz_document *doc, int number, float zoom, fz_rect *pt, fz_irect *px, char *err, int errlen) {
	fz_page *volatile page = NULL;
	volatile int rc = 0;
	fz_try(ctx) {
		page = fz_load_page(ctx, doc, number);
		*pt = fz_bound_page(ctx, page);
		*px = fz_round_rect(fz_transform_rect(*pt, fz_scale(zoom, zoom)));
	}
	fz_always(ctx) {
		fz_drop_page(ctx, page);
	}
	fz_catch(ctx) {
		rc = sb_caught(ctx, err, errlen);
	}
	return rc;
}

// sb_render draws page at zoom over white into samples, which holds the
// pixel box sb_bound returned: 1 byte a pixel (gray) or 4 (RGBA).
static int sb_render(fz_context *ctx, fz_document *doc, int number, float zoom, fz_irect px, int gray, unsigned char *samples, char *err, int errlen) {
	fz_page *volatile page = NULL;
	fz_pixmap *volatile pix = NULL;
	fz_device *volatile dev = NULL;
	volatile int rc = 0;
	fz_try(ctx) {
		page = fz_load_page(ctx, doc, number);
		if (gray)
			pix = fz_new_pixmap_with_bbox_and_data(ctx, fz_device_gray(ctx), px, NULL, 0, samples);
		else
			pix = fz_new_pixmap_with_bbox_and_data(ctx, fz_device_rgb(ctx), px, NULL, 1, samples);
		fz_clear_pixmap_with_value(ctx, pix, 0xff);
		dev = fz_new_draw_device(ctx, fz_scale(zoom, zoom), pix);
		fz_run_page(ctx, page, dev, fz_scale(1, 1), NULL);
		fz_close_device(ctx, dev);
	}
	fz_always(ctx) {
		fz_drop_device(ctx, dev);
		fz_drop_pixmap(ctx, pix);
		fz_drop_page(ctx, page);
	}
	fz_catch(ctx) {
		rc = sb_caught(ctx, err, errlen);
	}
	return rc;
}

// The heads of struct fz_image (image.h, store.h) and struct fz_device
// (device.h) as far as the members used here: an image's size, and the
// device's callbacks for drawing images. Everything past them belongs to
// MuPDF; sb_image_device leaves it room.
typedef struct { unsigned char ri, bp, op, opm; } fz_color_params;
typedef struct fz_image fz_image;
typedef struct { int refs; void *drop; void *droppable; } sb_storable;
typedef struct { sb_storable storable; short store_key_refs; } sb_key_storable;
typedef struct { sb_key_storable key_storable; int w, h; uint8_t n; } sb_image_head;
typedef struct {
	int refs, hints, flags;
	void *close_device, *drop_device;
	void (*fill_path)(fz_context *, fz_device *, const void *, int, fz_matrix, fz_colorspace *, const float *, float, fz_color_params);
	void (*stroke_path)(fz_context *, fz_device *, const void *, const void *, fz_matrix, fz_colorspace *, const float *, float, fz_color_params);
	void *clip_path, *clip_stroke_path;
	void (*fill_text)(fz_context *, fz_device *, const void *, fz_matrix, fz_colorspace *, const float *, float, fz_color_params);
	void (*stroke_text)(fz_context *, fz_device *, const void *, const void *, fz_matrix, fz_colorspace *, const float *, float, fz_color_params);
	void *clip_text, *clip_stroke_text, *ignore_text;
	void *fill_shade;
	void (*fill_image)(fz_context *, fz_device *, fz_image *, fz_matrix, float, fz_color_params);
	void (*fill_image_mask)(fz_context *, fz_device *, fz_image *, fz_matrix, fz_colorspace *, const float *, float, fz_color_params);
} sb_device_head;
fz_device *fz_new_device_of_size(fz_context *ctx, int size);

// sb_images is what a page draws as images: how many, their placed area
// summed (pt²), and the largest one's pixels (w across the page as drawn)
// and place; and how many visible paths and texts it draws besides
// (invisible text, a scanner's OCR layer, is not drawn); and how many of
// the images may hold colour: more than one component, or a mask painted
// in a colour space of more than one.
typedef struct {
	int vector;
	int n;
	int colour;
	float area;
	int w, h;
	fz_rect box;
} sb_images;

typedef struct {
	sb_device_head head;
	char rest[4096];
	sb_images found;
} sb_image_device;

static void sb_note_image(fz_device *dev, fz_image *img, fz_matrix ctm, int colour) {
	sb_images *f = &((sb_image_device *)dev)->found;
	sb_image_head *im = (sb_image_head *)img;
	if (colour || im->n > 1) {
		f->colour++;
	}
	fz_rect unit = {0, 0, 1, 1};
	fz_rect r = fz_transform_rect(unit, ctm);
	float area = (r.x1 - r.x0) * (r.y1 - r.y0);
	f->n++;
	f->area += area;
	if (area > (f->box.x1 - f->box.x0) * (f->box.y1 - f->box.y0)) {
		// An image drawn a quarter turn round runs its rows down the page.
		int turned = (ctm.b < 0 ? -ctm.b : ctm.b) > (ctm.a < 0 ? -ctm.a : ctm.a);
		f->w = turned ? im->h : im->w;
		f->h = turned ? im->w : im->h;
		f->box = r;
	}
}

static void sb_note_vector(fz_device *dev) {
	((sb_image_device *)dev)->found.vector++;
}

static void sb_fill_path(fz_context *ctx, fz_device *dev, const void *path, int even_odd, fz_matrix ctm, fz_colorspace *cs, const float *color, float alpha, fz_color_params cp) {
	sb_note_vector(dev);
}

static void sb_stroke_path(fz_context *ctx, fz_device *dev, const void *path, const void *stroke, fz_matrix ctm, fz_colorspace *cs, const float *color, float alpha, fz_color_params cp) {
	sb_note_vector(dev);
}

static void sb_fill_text(fz_context *ctx, fz_device *dev, const void *text, fz_matrix ctm, fz_colorspace *cs, const float *color, float alpha, fz_color_params cp) {
	sb_note_vector(dev);
}

static void sb_stroke_text(fz_context *ctx, fz_device *dev, const void *text, const void *stroke, fz_matrix ctm, fz_colorspace *cs, const float *color, float alpha, fz_color_params cp) {
	sb_note_vector(dev);
}

static void sb_fill_image(fz_context *ctx, fz_device *dev, fz_image *img, fz_matrix ctm, float alpha, fz_color_params cp) {
	sb_note_image(dev, img, ctm, 0);
}

static void sb_fill_image_mask(fz_context *ctx, fz_device *dev, fz_image *img, fz_matrix ctm, fz_colorspace *cs, const float *color, float alpha, fz_color_params cp) {
	sb_note_image(dev, img, ctm, cs == NULL || fz_colorspace_n(ctx, cs) > 1);
}

// sb_page_images runs page through a device that only notes images, in
// page space (points from the top-left, as displayed): no image is
// decoded.
static int sb_page_images(fz_context *ctx, fz_document *doc, int number, sb_images *out, char *err, int errlen) {
	fz_page *volatile page = NULL;
	fz_device *volatile dev = NULL;
	volatile int rc = 0;
	memset(out, 0, sizeof *out);
	fz_try(ctx) {
		page = fz_load_page(ctx, doc, number);
		dev = fz_new_device_of_size(ctx, sizeof(sb_image_device));
		((sb_device_head *)dev)->fill_path = sb_fill_path;
		((sb_device_head *)dev)->stroke_path = sb_stroke_path;
		((sb_device_head *)dev)->fill_text = sb_fill_text;
		((sb_device_head *)dev)->stroke_text = sb_stroke_text;
		((sb_device_head *)dev)->fill_image = sb_fill_image;
		((sb_device_head *)dev)->fill_image_mask = sb_fill_image_mask;
		fz_run_page(ctx, page, dev, fz_scale(1, 1), NULL);
		fz_close_device(ctx, dev);
		*out = ((sb_image_device *)dev)->found;
	}
	fz_always(ctx) {
		fz_drop_device(ctx, dev);
		fz_drop_page(ctx, page);
	}
	fz_catch(ctx) {
		rc = sb_caught(ctx, err, errlen);
	}
	return rc;
}

// sb_text extracts page's text as UTF-8; *out is malloc'ed, the caller
// frees it.
static int sb_text(fz_context *ctx, fz_document *doc, int number, char **out, size_t *n, char *err, int errlen) {
	fz_page *volatile page = NULL;
	fz_buffer *volatile buf = NULL;
	volatile int rc = 0;
	fz_try(ctx) {
		unsigned char *data;
		page = fz_load_page(ctx, doc, number);
		buf = fz_new_buffer_from_page(ctx, page, NULL);
		*n = fz_buffer_storage(ctx, buf, &data);
		*out = malloc(*n + 1);
		if (*out == NULL) {
			*n = 0;
		} else {
			memcpy(*out, data, *n);
		}
	}
	fz_always(ctx) {
		fz_drop_buffer(ctx, buf);
		fz_drop_page(ctx, page);
	}
	fz_catch(ctx) {
		rc = sb_caught(ctx, err, errlen);
	}
	return rc;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"image"
	"runtime"
	"strings"
	"unsafe"

	"github.com/gen2brain/go-fitz"
)

const errLen = 512

// mupdf is one open document with its own MuPDF context. Not safe for
// concurrent use.
type mupdf struct {
	ctx   *C.fz_context
	doc   *C.fz_document
	pages int
}

var errNeedsPassword = errors.New("mupdf: document needs a password")

// mupdfError is an error MuPDF raised, with its fz_error_type code.
type mupdfError struct {
	op   string
	code int
	msg  string
}

func (e *mupdfError) Error() string {
	return fmt.Sprintf("mupdf: %s: %s (code %d)", e.op, e.msg, e.code)
}

// Memory reports whether MuPDF gave up for want of memory or at a hard
// limit, as opposed to a malformed file. FZ_ERROR_SYSTEM also covers
// failed system calls; MuPDF words its allocation failures
// "malloc (N bytes) failed", "calloc …", "realloc …".
func (e *mupdfError) Memory() bool {
	return e.code == 4 || e.code == 2 && (strings.Contains(e.msg, "alloc") || strings.Contains(e.msg, "memory"))
}

// System reports a failed system call other than an allocation, such as
// a file that cannot be opened: our fault, not the document's.
func (e *mupdfError) System() bool { return e.code == 2 && !e.Memory() }

func caught(op string, code C.int, msg *C.char) error {
	return &mupdfError{op: op, code: int(code), msg: C.GoString(msg)}
}

// storeBytes caps MuPDF's resource cache (fonts, decoded images): one page
// at a time needs far less than its 256 MB default, and the rest of the
// memory limit is better spent on the pixmap.
const storeBytes = 64 << 20

func openMuPDF(path string) (*mupdf, error) {
	version := C.CString(fitz.FzVersion)
	defer C.free(unsafe.Pointer(version))
	ctx := C.fz_new_context_imp(nil, nil, storeBytes, version)
	if ctx == nil {
		// fz_new_context fails when malloc does, or when the library is not
		// the version go-fitz declares; the tests catch the latter.
		return nil, &mupdfError{op: "new context", code: 2, msg: "out of memory, or the library is not MuPDF " + fitz.FzVersion}
	}
	C.fz_register_document_handlers(ctx)
	// Colour management (lcms) made a colour scan rendered in gray cost
	// three times as much as a gray one; OCR and ink measurement do not
	// need calibrated colour.
	C.fz_disable_icc(ctx)
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var doc *C.fz_document
	var pages, locked C.int
	var msg [errLen]C.char
	if code := C.sb_open(ctx, cpath, &doc, &pages, &locked, &msg[0], errLen); code != 0 {
		C.fz_drop_context(ctx)
		return nil, caught("open", code, &msg[0])
	}
	if locked != 0 {
		C.fz_drop_document(ctx, doc)
		C.fz_drop_context(ctx)
		return nil, errNeedsPassword
	}
	return &mupdf{ctx: ctx, doc: doc, pages: int(pages)}, nil
}

func (m *mupdf) close() {
	C.fz_drop_document(m.ctx, m.doc)
	C.fz_drop_context(m.ctx)
}

// bound returns the page (from 0) in points and its pixel box at dpi.
func (m *mupdf) bound(page int, dpi float64) (pt [4]float64, px image.Rectangle, err error) {
	var r C.fz_rect
	var ir C.fz_irect
	var msg [errLen]C.char
	if code := C.sb_bound(m.ctx, m.doc, C.int(page), C.float(dpi/72), &r, &ir, &msg[0], errLen); code != 0 {
		return pt, px, caught(fmt.Sprintf("page %d bounds", page+1), code, &msg[0])
	}
	pt = [4]float64{float64(r.x0), float64(r.y0), float64(r.x1), float64(r.y1)}
	return pt, image.Rect(int(ir.x0), int(ir.y0), int(ir.x1), int(ir.y1)), nil
}

// render draws the page (from 0) into pix, which holds px (from bound) at
// 1 or 4 bytes a pixel.
func (m *mupdf) render(page int, dpi float64, px image.Rectangle, gray bool, pix []byte) error {
	n := 4
	if gray {
		n = 1
	}
	if len(pix) != px.Dx()*px.Dy()*n || len(pix) == 0 {
		return fmt.Errorf("mupdf: page %d: buffer of %d bytes for %v×%d", page+1, len(pix), px, n)
	}
	ir := C.fz_irect{x0: C.int(px.Min.X), y0: C.int(px.Min.Y), x1: C.int(px.Max.X), y1: C.int(px.Max.Y)}
	g := C.int(0)
	if gray {
		g = 1
	}
	var msg [errLen]C.char
	// MuPDF draws into pix and drops its pixmap before returning, so it
	// keeps no Go pointer past the call.
	code := C.sb_render(m.ctx, m.doc, C.int(page), C.float(dpi/72), ir, g, (*C.uchar)(unsafe.Pointer(&pix[0])), &msg[0], errLen)
	runtime.KeepAlive(pix)
	if code != 0 {
		return caught(fmt.Sprintf("render page %d", page+1), code, &msg[0])
	}
	return nil
}

// images returns what the page (from 0) draws as images, without decoding
// any.
func (m *mupdf) images(page int) (placed, error) {
	var f C.sb_images
	var msg [errLen]C.char
	if code := C.sb_page_images(m.ctx, m.doc, C.int(page), &f, &msg[0], errLen); code != 0 {
		return placed{}, caught(fmt.Sprintf("page %d images", page+1), code, &msg[0])
	}
	return placed{vector: int(f.vector), n: int(f.n), colour: int(f.colour), area: float64(f.area), w: int(f.w), h: int(f.h),
		box: [4]float64{float64(f.box.x0), float64(f.box.y0), float64(f.box.x1), float64(f.box.y1)}}, nil
}

// text returns the page's (from 0) text layer.
func (m *mupdf) text(page int) (string, error) {
	var out *C.char
	var n C.size_t
	var msg [errLen]C.char
	if code := C.sb_text(m.ctx, m.doc, C.int(page), &out, &n, &msg[0], errLen); code != 0 {
		return "", caught(fmt.Sprintf("page %d text", page+1), code, &msg[0])
	}
	if out == nil {
		return "", fmt.Errorf("mupdf: page %d text: out of memory", page+1)
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoStringN(out, C.int(n)), nil
}
