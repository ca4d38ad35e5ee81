"""The trusted side: runs an assignment's checks with pytest and hypothesis, computes verdicts.

The judge never imports student code. It reaches the student's module through
`grader.judge.client.WorkerClient`, which only ever hands back plain data.
"""
