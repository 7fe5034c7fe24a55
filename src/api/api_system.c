/* api_system.c: being written */
