/* api_tokens.c: being written */
