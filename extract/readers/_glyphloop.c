/* The PDFium reader's per-glyph loop in C (optional: poa reads the same values through cffi without it).

   PDFium's API asks for a glyph's box and matrix one call at a time, some 5,000 glyphs a page; from Python
   each call costs about 0.3 us of libffi on top of PDFium's own work, so the loop was the largest cost of
   reading a page. Here the same two calls are made in a C loop, through the function pointers pypdfium2's
   own library exports (passed in as addresses: nothing here links against PDFium or needs its headers), into
   the caller's arrays. The values are PDFium's, bit for bit, either way. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

typedef struct { float left, top, right, bottom; } FS_RECTF;
typedef struct { float a, b, c, d, e, f; } FS_MATRIX;
typedef int (*box_fn)(void *, int, FS_RECTF *);
typedef int (*matrix_fn)(void *, int, FS_MATRIX *);

/* boxes_and_matrices(text_page, n, get_loose_char_box, get_matrix, rects, matrices): glyphs 0..n-1 of the
   text page, each one's loose box into `rects` (n x 4 float32) and matrix into `matrices` (n x 6 float32). */
static PyObject *boxes_and_matrices(PyObject *self, PyObject *args) {
    unsigned long long page, box, matrix;
    int n;
    Py_buffer rects, mats;
    (void)self;
    if (!PyArg_ParseTuple(args, "KiKKw*w*", &page, &n, &box, &matrix, &rects, &mats))
        return NULL;
    if (n < 0 || !page || !box || !matrix || rects.len < (Py_ssize_t)n * (Py_ssize_t)sizeof(FS_RECTF)
        || mats.len < (Py_ssize_t)n * (Py_ssize_t)sizeof(FS_MATRIX)) {
        PyBuffer_Release(&rects);
        PyBuffer_Release(&mats);
        PyErr_SetString(PyExc_ValueError, "boxes_and_matrices: bad text page, function or buffer size");
        return NULL;
    }
    FS_RECTF *r = (FS_RECTF *)rects.buf;
    FS_MATRIX *m = (FS_MATRIX *)mats.buf;
    box_fn get_box = (box_fn)(uintptr_t)box;
    matrix_fn get_matrix = (matrix_fn)(uintptr_t)matrix;
    void *tp = (void *)(uintptr_t)page;
    for (int i = 0; i < n; i++) {
        get_box(tp, i, r + i);
        get_matrix(tp, i, m + i);
    }
    PyBuffer_Release(&rects);
    PyBuffer_Release(&mats);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"boxes_and_matrices", boxes_and_matrices, METH_VARARGS, "Every glyph's loose box and matrix, into arrays."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_glyphloop", NULL, -1, methods};

PyMODINIT_FUNC PyInit__glyphloop(void) { return PyModule_Create(&module); }
