#!/usr/bin/env bash
# Placeholder until the tokenizer work lands: nothing external needed yet.
exit 0
