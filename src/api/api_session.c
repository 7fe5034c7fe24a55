/* api_session.c: being written */
