//go:build cgo

// Tesseract's LSTM opens an OpenMP parallel region for every layer of
// every line it reads (LSTM::Forward and FullyConnected::Forward compute
// their gates in "parallel sections"). Under OMP_THREAD_LIMIT=1 (one
// thread per client: the client pool is the parallelism) libgomp still
// builds a team of one for each region and, ending it, wakes the team's
// barrier with a futex system call that nobody waits on: 1.6 million calls
// for one application.
//
// These definitions, in the executable, come before libgomp's in the
// dynamic linker's lookup, so libtesseract's calls land here. When the
// thread limit is 1 a team could only hold the calling thread, so the
// region runs inline on it: a parallel loop's body with the whole range
// (outside a team omp_get_num_threads() is 1 and omp_get_thread_num() 0,
// which is how GCC's outlined loops split their range), a sections region
// handing out its sections 1…count in order, as a team of one does.
// Otherwise every call goes on to libgomp unchanged.

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

extern int omp_get_thread_limit(void);

typedef void (*parallel_fn)(void (*)(void *), void *, unsigned, unsigned);
typedef void (*parallel_sections_fn)(void (*)(void *), void *, unsigned, unsigned, unsigned);
typedef unsigned (*sections_next_fn)(void);
typedef void (*sections_end_fn)(void);

static parallel_fn next_parallel;
static parallel_sections_fn next_parallel_sections;
static sections_next_fn next_sections_next;
static sections_end_fn next_sections_end_nowait;
static int run_inline;

__attribute__((constructor)) static void resolve_gomp(void) {
	next_parallel = (parallel_fn)dlsym(RTLD_NEXT, "GOMP_parallel");
	next_parallel_sections = (parallel_sections_fn)dlsym(RTLD_NEXT, "GOMP_parallel_sections");
	next_sections_next = (sections_next_fn)dlsym(RTLD_NEXT, "GOMP_sections_next");
	next_sections_end_nowait = (sections_end_fn)dlsym(RTLD_NEXT, "GOMP_sections_end_nowait");
	// libgomp reads OMP_THREAD_LIMIT once, when it is loaded: before
	// this constructor, which runs with the executable's.
	run_inline = omp_get_thread_limit() == 1 && next_parallel && next_parallel_sections &&
		     next_sections_next && next_sections_end_nowait;
}

// The sections of the inline region running on this thread, if any.
static __thread unsigned sections_count, sections_given;
static __thread int sections_inline;

void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags) {
	if (run_inline) {
		fn(data);
		return;
	}
	next_parallel(fn, data, num_threads, flags);
}

void GOMP_parallel_sections(void (*fn)(void *), void *data, unsigned num_threads, unsigned count,
			    unsigned flags) {
	if (!run_inline) {
		next_parallel_sections(fn, data, num_threads, count, flags);
		return;
	}
	unsigned saved_count = sections_count, saved_given = sections_given;
	int saved_inline = sections_inline;
	sections_count = count;
	sections_given = 0;
	sections_inline = 1;
	fn(data);
	sections_count = saved_count;
	sections_given = saved_given;
	sections_inline = saved_inline;
}

unsigned GOMP_sections_next(void) {
	if (!sections_inline) {
		return next_sections_next();
	}
	return sections_given < sections_count ? ++sections_given : 0;
}

void GOMP_sections_end_nowait(void) {
	if (!sections_inline) {
		next_sections_end_nowait();
	}
}

// shenbao_omp_inline reports whether the regions run inline.
int shenbao_omp_inline(void) { return run_inline; }
