#!/usr/bin/python3
# For tests/e2e/why_python.sh: a module global list holding bytearrays,
# each owning a heap buffer (bytearray keeps its bytes in a separate
# PyObject_Malloc'd block, Objects/bytearrayobject.c).  Prints its own
# truth, one line each:
#   "pid P"
#   "bytearray I ID BUFFER BASICSIZE"  id() (the PyObject's address), the
#                                      buffer's address as ctypes sees it,
#                                      the object's fixed size
#   "list ID ITEMS"                    the list's id() and its ob_item array
#                                      (Include/cpython/listobject.h: after
#                                      the PyVarObject header)
# then "ready", and reads stdin until end of input.
import ctypes
import os
import sys

# 3000..3049 distinct sizes, above pymalloc's small-request limit (512
# bytes, Objects/obmalloc.c SMALL_REQUEST_THRESHOLD): glibc malloc's.
HELD = [bytearray(b"%c" % (65 + i % 26)) * (3000 + i) for i in range(50)]


def main():
    print("pid %d" % os.getpid())
    for i, ba in enumerate(HELD):
        view = (ctypes.c_char * len(ba)).from_buffer(ba)
        buffer = ctypes.addressof(view)
        del view  # releases the export
        print("bytearray %d %d %d %d" % (i, id(ba), buffer, type(ba).__basicsize__))
    header = ctypes.sizeof(ctypes.c_void_p) * 3  # PyObject_VAR_HEAD: ob_refcnt, ob_type, ob_size
    items = ctypes.c_void_p.from_address(id(HELD) + header).value
    print("list %d %d" % (id(HELD), items))
    print("ready", flush=True)
    for _ in sys.stdin:
        pass


main()
