"""``python -I -X utf8 -B -m grader.zygote SOCKET PRELOAD``: the zygote process (see `grader.zygote`)."""

from grader.zygote.server import main

main()
