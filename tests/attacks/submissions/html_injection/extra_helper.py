"""A helper whose file name is markup (renamed by the test)."""

VALUE = '<script>alert("helper")</script>'
