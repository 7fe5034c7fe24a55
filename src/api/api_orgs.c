/* api_orgs.c: being written */
