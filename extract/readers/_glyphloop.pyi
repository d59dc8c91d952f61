# The C loop's interface (_glyphloop.c), for the type checker: mypy reads no compiled module.
import numpy as np

# rects, matrices: float32 arrays n × 4 and n × 6 (any writable buffer of that size), filled in place.
def boxes_and_matrices(text_page: int, n: int, get_loose_char_box: int, get_matrix: int, rects: np.ndarray,
                       matrices: np.ndarray, /) -> None: ...
