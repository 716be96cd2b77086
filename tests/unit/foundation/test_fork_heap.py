"""A forked task process inherits the scheduling process's heap frozen, the parent not."""

from __future__ import annotations

import gc
import os

import tasks  # noqa: F401  (importing the package sets the fork hooks up)


def test_fork_when_tasks_is_imported_then_the_child_inherits_the_heap_frozen_and_the_parent_thaws():
    before = gc.get_freeze_count()  # the interpreter starts with a few hundred frozen
    objects = len(gc.get_objects())
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what the garbage collector leaves alone, and go
        os.close(read)
        os.write(write, str(gc.get_freeze_count()).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        in_child = int(pipe.read())
    os.waitpid(pid, 0)
    assert in_child >= before + objects // 2, (in_child, before, objects)
    assert gc.get_freeze_count() <= before
