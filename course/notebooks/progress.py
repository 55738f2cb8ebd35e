"""What `course grade` prints while a class is graded.

    progress = Progress(total=120)
    progress.done(rows)          # as each submission is graded
    progress.close()

One line per submission on stdout ("[3/120] alice/ex01.ipynb: 4 / 5"), and,
when stderr is a terminal, a progress bar there with the time left (tqdm).
Nothing at all with quiet=True; no bar when stderr is a file or a pipe (a
batch job's log).
"""

import os
import sys

from course.notebooks.gradebook import row_line


def _size(stream):
    try:
        return tuple(os.get_terminal_size(stream.fileno()))
    except (OSError, ValueError, AttributeError):
        return 0, 0


class Progress:
    def __init__(self, total, quiet=False, out=None, err=None, show_rows=False):
        self.total, self.count, self.quiet, self.show_rows = total, 0, quiet, show_rows
        self.out = out or sys.stdout
        err = err or sys.stderr
        self.bar = None
        if not quiet and total and getattr(err, "isatty", lambda: False)():
            from tqdm import tqdm

            # A terminal that reports no size (some batch consoles) would hide the bar.
            columns, lines = _size(err)
            self.bar = tqdm(total=total, file=err, unit="submission", desc="grading",
                            dynamic_ncols=bool(columns), ncols=None if columns else 80,
                            nrows=None if lines else 24, smoothing=0.1)

    def done(self, rows):
        self.count += 1
        if not self.quiet:
            points = sum(r.points for r in rows)
            most = sum(r.max_points for r in rows)
            lines = [f"[{self.count}/{self.total}] {rows[0].submission}: "
                     f"{points:g} / {most:g}"]
            if self.show_rows:
                lines += [f"    {row_line(row)}" for row in rows]
            self._print("\n".join(lines))
        if self.bar is not None:
            self.bar.update(1)

    def _print(self, text):
        if self.bar is not None:
            self.bar.write(text, file=self.out)
        else:
            print(text, file=self.out, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
