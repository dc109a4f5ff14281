//go:build cgo

package ocr

// A small binding of ONNX Runtime's C API, enough to run one model with
// one float input and one float output. The library is opened with dlopen
// at run time, not linked: a binary built here runs on a machine without
// it (scans are then read by Tesseract alone), and the library is the one
// `make models` installs from the npm package onnxruntime-node.
//
// The C API is a table of function pointers (OrtApi) that only ever grows
// at its end, so an entry's index is fixed for good; the entries used here
// are named by their index in the table as of API version 13, which every
// later runtime serves (GetApi(13)).

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef void Status;
typedef void* (*get_api_fn)(uint32_t);
typedef const char* (*version_fn)(void);
typedef struct { get_api_fn get_api; version_fn version; } ApiBase;
typedef const ApiBase* (*base_fn)(void);

enum {
	iGetErrorMessage = 2, iCreateEnv = 3, iCreateSessionFromArray = 8, iRun = 9,
	iCreateSessionOptions = 10, iSetSessionGraphOptimizationLevel = 23,
	iSetIntraOpNumThreads = 24, iSetInterOpNumThreads = 25,
	iSessionGetInputCount = 30, iSessionGetOutputCount = 31,
	iSessionGetInputTypeInfo = 33, iSessionGetOutputTypeInfo = 34,
	iSessionGetInputName = 36, iSessionGetOutputName = 37,
	iCreateTensorWithDataAsOrtValue = 49, iGetTensorMutableData = 51,
	iCastTypeInfoToTensorInfo = 55, iGetTensorElementType = 60,
	iGetDimensionsCount = 61, iGetDimensions = 62, iGetTensorTypeAndShape = 65,
	iCreateCpuMemoryInfo = 69, iAllocatorFree = 76, iGetAllocatorWithDefaultOptions = 78,
	iReleaseEnv = 92, iReleaseStatus = 93, iReleaseMemoryInfo = 94, iReleaseSession = 95,
	iReleaseValue = 96, iReleaseTypeInfo = 98, iReleaseTensorTypeAndShapeInfo = 99,
	iReleaseSessionOptions = 100,
};

typedef struct {
	void *lib;
	void **api;
	void *env, *mem, *alloc;
} ort;

#define F(i, type) ((type)(o->api[i]))

// err turns a status into a malloc'd message (NULL on success).
static char *err(ort *o, Status *s) {
	if (!s) return NULL;
	const char *m = F(iGetErrorMessage, const char *(*)(Status *))(s);
	char *out = strdup(m ? m : "unknown ONNX Runtime error");
	F(iReleaseStatus, void (*)(Status *))(s);
	return out;
}

static char *ort_open(ort *o, const char *path, char **version) {
	o->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!o->lib) {
		const char *e = dlerror();
		return strdup(e ? e : "dlopen failed");
	}
	base_fn base = (base_fn)dlsym(o->lib, "OrtGetApiBase");
	if (!base) return strdup("not an ONNX Runtime library: no OrtGetApiBase");
	const ApiBase *b = base();
	*version = (char *)b->version();
	o->api = (void **)b->get_api(13);
	if (!o->api) return strdup("the library does not serve C API version 13");
	char *e = err(o, F(iCreateEnv, Status *(*)(int, const char *, void **))(3, "shenbao", &o->env));
	if (e) return e;
	e = err(o, F(iCreateCpuMemoryInfo, Status *(*)(int, int, void **))(0, 0, &o->mem));
	if (e) return e;
	return err(o, F(iGetAllocatorWithDefaultOptions, Status *(*)(void **))(&o->alloc));
}

static void ort_close(ort *o) {
	if (o->mem) F(iReleaseMemoryInfo, void (*)(void *))(o->mem);
	if (o->env) F(iReleaseEnv, void (*)(void *))(o->env);
	// The library stays loaded: its thread pools may still be winding down.
}

static char *ort_session(ort *o, const void *model, size_t n, int threads, void **out) {
	void *opts = NULL;
	char *e = err(o, F(iCreateSessionOptions, Status *(*)(void **))(&opts));
	if (e) return e;
	e = err(o, F(iSetIntraOpNumThreads, Status *(*)(void *, int))(opts, threads));
	if (!e) e = err(o, F(iSetInterOpNumThreads, Status *(*)(void *, int))(opts, 1));
	if (!e) e = err(o, F(iSetSessionGraphOptimizationLevel, Status *(*)(void *, int))(opts, 99));
	if (!e) e = err(o, F(iCreateSessionFromArray, Status *(*)(void *, const void *, size_t, void *, void **))(o->env, model, n, opts, out));
	F(iReleaseSessionOptions, void (*)(void *))(opts);
	return e;
}

static void ort_release_session(ort *o, void *s) { F(iReleaseSession, void (*)(void *))(s); }

// ort_io describes input or output i (in != 0: input) of a session: its
// name (copied into name, at most cap bytes), element type and dimensions
// (at most 8; -1 where free).
static char *ort_io(ort *o, void *s, int in, size_t i, char *name, size_t cap, int *type, int64_t *dims, size_t *ndims) {
	size_t count = 0;
	char *e = err(o, F(in ? iSessionGetInputCount : iSessionGetOutputCount, Status *(*)(void *, size_t *))(s, &count));
	if (e) return e;
	if (i >= count) return strdup("no such input or output");
	char *n = NULL;
	e = err(o, F(in ? iSessionGetInputName : iSessionGetOutputName, Status *(*)(void *, size_t, void *, char **))(s, i, o->alloc, &n));
	if (e) return e;
	strncpy(name, n, cap - 1);
	name[cap - 1] = 0;
	F(iAllocatorFree, Status *(*)(void *, void *))(o->alloc, n);
	void *ti = NULL;
	e = err(o, F(in ? iSessionGetInputTypeInfo : iSessionGetOutputTypeInfo, Status *(*)(void *, size_t, void **))(s, i, &ti));
	if (e) return e;
	const void *tt = NULL;
	e = err(o, F(iCastTypeInfoToTensorInfo, Status *(*)(const void *, const void **))(ti, &tt));
	if (!e && !tt) e = strdup("not a tensor");
	if (!e) e = err(o, F(iGetTensorElementType, Status *(*)(const void *, int *))(tt, type));
	if (!e) e = err(o, F(iGetDimensionsCount, Status *(*)(const void *, size_t *))(tt, ndims));
	if (!e && *ndims > 8) e = strdup("more than 8 dimensions");
	if (!e) e = err(o, F(iGetDimensions, Status *(*)(const void *, int64_t *, size_t))(tt, dims, *ndims));
	F(iReleaseTypeInfo, void (*)(void *))(ti);
	return e;
}

// ort_count returns the number of inputs (in != 0) or outputs of a session.
static char *ort_count(ort *o, void *s, int in, size_t *n) {
	return err(o, F(in ? iSessionGetInputCount : iSessionGetOutputCount, Status *(*)(void *, size_t *))(s, n));
}

// ort_run runs a session on one float tensor and returns its one float
// output: *out (owned by *value, released with ort_release_value), its
// dimensions in odims/nodims.
static char *ort_run(ort *o, void *s, const char *iname, const char *oname, float *data, int64_t *dims, size_t ndims,
		void **value, float **out, int64_t *odims, size_t *nodims) {
	size_t n = 1;
	for (size_t i = 0; i < ndims; i++) n *= (size_t)dims[i];
	void *in = NULL;
	char *e = err(o, F(iCreateTensorWithDataAsOrtValue, Status *(*)(void *, void *, size_t, const int64_t *, size_t, int, void **))(o->mem, data, n * sizeof(float), dims, ndims, 1, &in));
	if (e) return e;
	const char *inames[1] = {iname}, *onames[1] = {oname};
	void *outs[1] = {NULL};
	e = err(o, F(iRun, Status *(*)(void *, void *, const char *const *, const void *const *, size_t, const char *const *, size_t, void **))(s, NULL, inames, (const void *const *)&in, 1, onames, 1, outs));
	F(iReleaseValue, void (*)(void *))(in);
	if (e) return e;
	*value = outs[0];
	void *info = NULL;
	e = err(o, F(iGetTensorTypeAndShape, Status *(*)(const void *, void **))(outs[0], &info));
	if (e) return e;
	e = err(o, F(iGetDimensionsCount, Status *(*)(const void *, size_t *))(info, nodims));
	if (!e && *nodims > 8) e = strdup("more than 8 output dimensions");
	if (!e) e = err(o, F(iGetDimensions, Status *(*)(const void *, int64_t *, size_t))(info, odims, *nodims));
	F(iReleaseTensorTypeAndShapeInfo, void (*)(void *))(info);
	if (e) return e;
	return err(o, F(iGetTensorMutableData, Status *(*)(void *, void **))(outs[0], (void **)out));
}

static void ort_release_value(ort *o, void *v) { if (v) F(iReleaseValue, void (*)(void *))(v); }

// ort_run_many runs the session for the n outputs named and leaves each
// one's value, data and element count in values, outs and counts (the
// caller releases the values).
static char *ort_run_many(ort *o, void *s, const char *iname, const char *const *onames, size_t n, float *data, int64_t *dims, size_t ndims,
		void **values, float **outs, size_t *counts) {
	size_t m = 1;
	for (size_t i = 0; i < ndims; i++) m *= (size_t)dims[i];
	void *in = NULL;
	char *e = err(o, F(iCreateTensorWithDataAsOrtValue, Status *(*)(void *, void *, size_t, const int64_t *, size_t, int, void **))(o->mem, data, m * sizeof(float), dims, ndims, 1, &in));
	if (e) return e;
	const char *inames[1] = {iname};
	e = err(o, F(iRun, Status *(*)(void *, void *, const char *const *, const void *const *, size_t, const char *const *, size_t, void **))(s, NULL, inames, (const void *const *)&in, 1, onames, n, values));
	F(iReleaseValue, void (*)(void *))(in);
	if (e) return e;
	for (size_t i = 0; i < n; i++) {
		void *info = NULL;
		e = err(o, F(iGetTensorTypeAndShape, Status *(*)(const void *, void **))(values[i], &info));
		if (e) return e;
		size_t nd = 0;
		int64_t d[8];
		e = err(o, F(iGetDimensionsCount, Status *(*)(const void *, size_t *))(info, &nd));
		if (!e && nd > 8) e = strdup("more than 8 output dimensions");
		if (!e) e = err(o, F(iGetDimensions, Status *(*)(const void *, int64_t *, size_t))(info, d, nd));
		F(iReleaseTensorTypeAndShapeInfo, void (*)(void *))(info);
		if (e) return e;
		counts[i] = 1;
		for (size_t k = 0; k < nd; k++) counts[i] *= (size_t)d[k];
		e = err(o, F(iGetTensorMutableData, Status *(*)(void *, void **))(values[i], (void **)&outs[i]));
		if (e) return e;
	}
	return NULL;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// ortRuntime is one loaded ONNX Runtime with its environment.
type ortRuntime struct {
	o       C.ort
	Version string
}

func cerr(e *C.char) error {
	if e == nil {
		return nil
	}
	defer C.free(unsafe.Pointer(e))
	return errors.New(C.GoString(e))
}

// openRuntime loads the ONNX Runtime library at path (a file, or a
// soname for the loader's search).
func openRuntime(path string) (*ortRuntime, error) {
	rt := &ortRuntime{}
	cp := C.CString(path)
	defer C.free(unsafe.Pointer(cp))
	var ver *C.char
	if err := cerr(C.ort_open(&rt.o, cp, &ver)); err != nil {
		C.ort_close(&rt.o)
		return nil, err
	}
	if ver != nil {
		rt.Version = C.GoString(ver)
	}
	return rt, nil
}

func (rt *ortRuntime) close() { C.ort_close(&rt.o) }

// tensorInfo describes a model's input or output.
type tensorInfo struct {
	Name  string
	Float bool    // element type float32
	Dims  []int64 // -1 where free
}

// ortSession is a loaded model. Run is safe for concurrent use (ONNX
// Runtime's sessions are).
type ortSession struct {
	rt      *ortRuntime
	s       unsafe.Pointer
	In, Out tensorInfo
}

// newSession loads a model of one input and one output, run with the given
// number of threads.
func (rt *ortRuntime) newSession(model []byte, threads int) (*ortSession, error) {
	return rt.session(model, threads, false)
}

// session loads a model of one input and one output, or with multi of
// several outputs (Out describes the first).
func (rt *ortRuntime) session(model []byte, threads int, multi bool) (*ortSession, error) {
	if len(model) == 0 {
		return nil, errors.New("empty model")
	}
	cm := C.CBytes(model)
	defer C.free(cm)
	var s unsafe.Pointer
	if err := cerr(C.ort_session(&rt.o, cm, C.size_t(len(model)), C.int(threads), &s)); err != nil {
		return nil, err
	}
	ss := &ortSession{rt: rt, s: s}
	for _, in := range []C.int{1, 0} {
		var n C.size_t
		if err := cerr(C.ort_count(&rt.o, s, in, &n)); err != nil {
			ss.close()
			return nil, err
		}
		if n != 1 && !(in == 0 && n > 1 && multi) {
			ss.close()
			return nil, fmt.Errorf("model has %d %s, want 1", n, map[C.int]string{1: "inputs", 0: "outputs"}[in])
		}
		var name [256]C.char
		var typ C.int
		var dims [8]C.int64_t
		var nd C.size_t
		if err := cerr(C.ort_io(&rt.o, s, in, 0, &name[0], 256, &typ, &dims[0], &nd)); err != nil {
			ss.close()
			return nil, err
		}
		ti := tensorInfo{Name: C.GoString(&name[0]), Float: typ == 1}
		for i := 0; i < int(nd); i++ {
			ti.Dims = append(ti.Dims, int64(dims[i]))
		}
		if in == 1 {
			ss.In = ti
		} else {
			ss.Out = ti
		}
	}
	return ss, nil
}

func (s *ortSession) close() { C.ort_release_session(&s.rt.o, s.s) }

// run feeds data of shape dims and returns the output and its shape.
func (s *ortSession) run(data []float32, dims []int64) ([]float32, []int64, error) {
	var res []float32
	var shape []int64
	err := s.runView(data, dims, func(out []float32, dims []int64) error {
		res, shape = make([]float32, len(out)), dims
		copy(res, out)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return res, shape, nil
}

// runView feeds data of shape dims and calls fn with the output, in
// ONNX Runtime's memory, and its shape: a line's scores are every class's
// for every frame (6,625 floats a frame, 1 GB a scanned document), and
// copied to Go they cost their copy, the zeroing of the slice and the
// collections after it more than reading them does. fn must not keep out.
func (s *ortSession) runView(data []float32, dims []int64, fn func(out []float32, dims []int64) error) error {
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	if n != int64(len(data)) || len(dims) == 0 || len(dims) > 8 {
		return fmt.Errorf("input of %d values for shape %v", len(data), dims)
	}
	cdata, cdims, free := cInput(data, dims)
	defer free()
	iname, oname := C.CString(s.In.Name), C.CString(s.Out.Name)
	defer C.free(unsafe.Pointer(iname))
	defer C.free(unsafe.Pointer(oname))
	var value unsafe.Pointer
	var out *C.float
	var odims [8]C.int64_t
	var nod C.size_t
	err := cerr(C.ort_run(&s.rt.o, s.s, iname, oname, cdata, cdims, C.size_t(len(dims)), &value, &out, &odims[0], &nod))
	defer C.ort_release_value(&s.rt.o, value)
	if err != nil {
		return err
	}
	shape := make([]int64, nod)
	total := int64(1)
	for i := range shape {
		shape[i] = int64(odims[i])
		total *= shape[i]
	}
	if total < 0 || total > 1<<30 {
		return fmt.Errorf("output of shape %v", shape)
	}
	var view []float32
	if total > 0 {
		view = unsafe.Slice((*float32)(unsafe.Pointer(out)), total)
	}
	return fn(view, shape)
}

// runMany feeds data of shape dims and returns the values of the outputs
// named (float tensors), flattened.
func (s *ortSession) runMany(data []float32, dims []int64, names []string) ([][]float32, error) {
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	if n != int64(len(data)) || len(dims) == 0 || len(dims) > 8 {
		return nil, fmt.Errorf("input of %d values for shape %v", len(data), dims)
	}
	if len(names) == 0 {
		return nil, errors.New("no output asked for")
	}
	cdata, cdims, free := cInput(data, dims)
	defer free()
	iname := C.CString(s.In.Name)
	defer C.free(unsafe.Pointer(iname))
	k := len(names)
	cnames := (**C.char)(C.malloc(C.size_t(k) * C.size_t(unsafe.Sizeof(uintptr(0)))))
	defer C.free(unsafe.Pointer(cnames))
	nameList := unsafe.Slice(cnames, k)
	for i, nm := range names {
		nameList[i] = C.CString(nm)
	}
	defer func() {
		for _, p := range nameList {
			C.free(unsafe.Pointer(p))
		}
	}()
	values := (*unsafe.Pointer)(C.calloc(C.size_t(k), C.size_t(unsafe.Sizeof(uintptr(0)))))
	defer C.free(unsafe.Pointer(values))
	outs := (**C.float)(C.calloc(C.size_t(k), C.size_t(unsafe.Sizeof(uintptr(0)))))
	defer C.free(unsafe.Pointer(outs))
	counts := (*C.size_t)(C.calloc(C.size_t(k), 8))
	defer C.free(unsafe.Pointer(counts))
	err := cerr(C.ort_run_many(&s.rt.o, s.s, iname, cnames, C.size_t(k), cdata, cdims, C.size_t(len(dims)), values, outs, counts))
	vs := unsafe.Slice(values, k)
	defer func() {
		for _, v := range vs {
			C.ort_release_value(&s.rt.o, v)
		}
	}()
	if err != nil {
		return nil, err
	}
	res := make([][]float32, k)
	ptrs, cs := unsafe.Slice(outs, k), unsafe.Slice(counts, k)
	for i := range res {
		if cs[i] > 1<<30 {
			return nil, fmt.Errorf("output %s of %d values", names[i], cs[i])
		}
		res[i] = make([]float32, cs[i])
		if cs[i] > 0 {
			copy(res[i], unsafe.Slice((*float32)(unsafe.Pointer(ptrs[i])), cs[i]))
		}
	}
	return res, nil
}

// cInput copies an input and its shape to C memory: they must not move
// while C holds them. free releases both.
func cInput(data []float32, dims []int64) (*C.float, *C.int64_t, func()) {
	cdata := (*C.float)(C.malloc(C.size_t(len(data)) * 4))
	copy(unsafe.Slice((*float32)(unsafe.Pointer(cdata)), len(data)), data)
	cdims := (*C.int64_t)(C.malloc(C.size_t(len(dims)) * 8))
	copy(unsafe.Slice((*int64)(unsafe.Pointer(cdims)), len(dims)), dims)
	return cdata, cdims, func() {
		C.free(unsafe.Pointer(cdata))
		C.free(unsafe.Pointer(cdims))
	}
}
