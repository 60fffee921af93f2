/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C interface to the Live Update engine (sessions.cpp, memfd_format.cpp):
 * the sessions to preserve, their table in the handover, and the reader of
 * the previous kernel's table and memfd records.  The engine takes no
 * lock: luo.c serializes every call.  Includes nothing but kx_env.h.
 */
#ifndef LIVEUPDATE_ENGINE_H
#define LIVEUPDATE_ENGINE_H

#include "kx_env.h"

#ifdef __cplusplus
extern "C" {
#endif

struct luo_engine;
struct luo_session;
struct luo_memfd;
struct luo_memfd_folio;

/* At most this many sessions each way, and files in a session. */
#define LUO_MAX_SESSIONS	1024
#define LUO_MAX_FILES		4096

/*
 * A file of a session.  To preserve: the file and its handler (luo.c's),
 * and what the handler's preserve gave.  Retrieved: the handler's
 * compatible string and data from the previous kernel, and whether the
 * file was taken.
 */
struct luo_file_ref {
	kx_u64 token;
	kx_u64 data;
	void *file;
	const void *handler;
	void *private_data;		/* the handler's */
	char compatible[48];		/* LUO_COMPATIBLE_BYTES */
	kx_u32 taken;			/* retrieved */
	kx_u32 refused;			/* its handler found its data damaged */
	kx_u32 frozen;			/* the handler's freeze ran */
};

/* An empty engine, or NULL without memory. */
struct luo_engine *luo_engine_create(void);
/* Frees the engine; every session must be removed first. */
void luo_engine_destroy(struct luo_engine *engine);

/*
 * A new session to preserve, named @name (LUO_NAME_BYTES, NUL-terminated,
 * not empty).  -EINVAL for a bad name, -EEXIST for a name in use, -ENOSPC
 * beyond LUO_MAX_SESSIONS, -ENOMEM.
 */
int luo_engine_create_session(struct luo_engine *engine, const char *name,
			      struct luo_session **session);
/*
 * The previous kernel's session named @name, taken: -ENOENT if there is
 * none, or it was taken already.
 */
int luo_engine_retrieve_session(struct luo_engine *engine, const char *name,
				struct luo_session **session);
/* Frees @session, created or retrieved; luo.c has released its files. */
void luo_engine_remove_session(struct luo_engine *engine, struct luo_session *session);

/* The sessions to preserve: @i from 0 below the count. */
kx_size_t luo_engine_nr_sessions(const struct luo_engine *engine);
struct luo_session *luo_engine_session(struct luo_engine *engine, kx_size_t i);

/* A session's name: LUO_NAME_BYTES, NUL-terminated and zero-padded. */
const char *luo_session_name(const struct luo_session *session);
/* Whether @session is the previous kernel's (retrieved), not one to preserve. */
int luo_session_retrieved(const struct luo_session *session);
/* A session to preserve whose file was closed while the handover is active. */
void luo_session_mark_closed(struct luo_session *session);
int luo_session_closed(const struct luo_session *session);
/*
 * A session's files, in token order.  A pointer luo_session_file() or
 * luo_session_find() gives is valid until the session's files change.
 */
kx_size_t luo_session_nr_files(const struct luo_session *session);
struct luo_file_ref *luo_session_file(struct luo_session *session, kx_size_t i);
/* The file under @token, or NULL. */
struct luo_file_ref *luo_session_find(struct luo_session *session, kx_u64 token);
/*
 * Adds @ref (token, file, handler, compatible, data) to a session to
 * preserve.  -EEXIST for a token in use, -ENOSPC beyond LUO_MAX_FILES,
 * -ENOMEM.
 */
int luo_session_add_file(struct luo_session *session, const struct luo_file_ref *ref);
/* Removes every file. */
void luo_session_clear(struct luo_session *session);

/* Bytes of table the sessions to preserve take. */
kx_size_t luo_engine_table_size(const struct luo_engine *engine);
/* Writes that table into @buf, of luo_engine_table_size() zeroed bytes. */
void luo_engine_write_table(const struct luo_engine *engine, void *buf, kx_size_t bytes);

/*
 * Indexes the previous kernel's table (@bytes at @table, mapped).  A
 * damaged session is dropped: @dropped gets its name (NULL if that is
 * what is damaged), its index in the table and why; the others stay.  Return: the number of sessions indexed, or
 * -EINVAL for a damaged table (@why says how), -ENOMEM.
 */
long luo_engine_load(struct luo_engine *engine, const void *table, kx_size_t bytes,
		     void (*dropped)(const char *name, kx_size_t index, const char *why),
		     const char **why);
/* Forgets the previous kernel's sessions that were not retrieved. */
void luo_engine_unload(struct luo_engine *engine);
/* Sessions of the previous kernel not retrieved. */
kx_size_t luo_engine_unretrieved(const struct luo_engine *engine);

/*
 * Checks a memfd record of the previous kernel: @m itself, against
 * @page_shift and the @max_pages pages of RAM the machine has (not what
 * this kernel manages yet: the handed-over memory is not counted until it
 * is restored).  0, or -EINVAL and why.
 */
int luo_memfd_check(const struct luo_memfd *m, kx_u32 page_shift, kx_u64 max_pages,
		    const char **why);
/*
 * Checks its @n folios (n == m->nr_folios, already checked): each inside
 * the file, aligned to its order (at most @max_order), in increasing index
 * order without overlap, with known flags.  0, or -EINVAL and why.
 */
int luo_memfd_check_folios(const struct luo_memfd *m, const struct luo_memfd_folio *folios,
			   kx_u64 n, kx_u32 max_order, const char **why);

#ifdef __cplusplus
}
#endif

#endif /* LIVEUPDATE_ENGINE_H */
