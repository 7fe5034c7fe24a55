/* api_users.c: being written */
