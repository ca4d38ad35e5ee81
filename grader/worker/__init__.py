"""The untrusted side: a sandboxed process that imports the student's module and answers calls.

Nothing in this package is imported by the judge; the judge talks to it through
`grader.judge.client` over a socket, with the codec of `grader.protocol`.
"""
