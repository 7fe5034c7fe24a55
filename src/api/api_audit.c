/* api_audit.c: being written */
