/* JSON string decoding for the event extractor, in one pass: the decoded
 * bytes go to the value buffer and, ASCII-lowered, to its twin, while the
 * closing quote and the escapes are found 16 bytes at a time with SSE2
 * (baseline on x86-64; other architectures take the byte loop). Raw control
 * characters are accepted (lenient, as before). Values no rule reads are
 * skipped with the same scan and checks, without copying (vg_jstr_skip). */
#include <string.h>

#include "detect/internal.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline char low1(char c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

static bool hex4(const char *p, const char *end, uint32_t *out)
{
	uint32_t v = 0;
	if (end - p < 4)
		return false;
	for (int i = 0; i < 4; i++) {
		int h = vg_ev_hexval(p[i]);
		if (h < 0)
			return false;
		v = v << 4 | (uint32_t)h;
	}
	*out = v;
	return true;
}

/* s[pos] is the opening quote; s has len readable bytes. dst and low have
 * room for (len - pos) + 16 bytes: the decoded string is never longer than
 * its raw text, and up to 16 bytes past the value may be written (garbage
 * that the caller overwrites). On success *olen is the decoded length and
 * *endpos the position after the closing quote; on error *endpos is where
 * it was found. */
vg_jstr_err vg_jstr_decode(const char *s, size_t len, size_t pos, char *dst, char *low, size_t *olen,
			   size_t *endpos)
{
	const char *p = s + pos + 1, *end = s + len;
	size_t o = 0;
#if defined(__SSE2__)
	const __m128i quote = _mm_set1_epi8('"'), bsl = _mm_set1_epi8('\\');
	const __m128i shift = _mm_set1_epi8((char)(0x80 - 'A')), bound = _mm_set1_epi8((char)(-128 + 26));
	const __m128i bit5 = _mm_set1_epi8(0x20);
#endif
	for (;;) {
#if defined(__SSE2__)
		while (end - p >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
			/* 'A'..'Z' shifted to -128..-103: below -102 as signed bytes */
			__m128i up = _mm_cmplt_epi8(_mm_add_epi8(v, shift), bound);
			_mm_storeu_si128((__m128i *)(void *)(dst + o), v);
			_mm_storeu_si128((__m128i *)(void *)(low + o), _mm_or_si128(v, _mm_and_si128(up, bit5)));
			unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bsl)));
			if (m) {
				unsigned k = (unsigned)__builtin_ctz(m);
				o += k;
				p += k;
				goto special;
			}
			o += 16;
			p += 16;
		}
#endif
		/* the last bytes of the input (all of them without SSE2) */
		while (p < end && *p != '"' && *p != '\\') {
			dst[o] = *p;
			low[o++] = low1(*p++);
		}
		if (p >= end) {
			*endpos = len;
			return VG_JSTR_UNTERMINATED;
		}
#if defined(__SSE2__)
	special:
#endif
		if (*p == '"') {
			*olen = o;
			*endpos = (size_t)(p - s) + 1;
			return VG_JSTR_OK;
		}
		if (++p >= end) {
			*endpos = len;
			return VG_JSTR_BAD_ESCAPE;
		}
		char c = *p++;
		switch (c) {
		case '"': dst[o] = low[o] = '"'; o++; break;
		case '\\': dst[o] = low[o] = '\\'; o++; break;
		case '/': dst[o] = low[o] = '/'; o++; break;
		case 'b': dst[o] = low[o] = '\b'; o++; break;
		case 'f': dst[o] = low[o] = '\f'; o++; break;
		case 'n': dst[o] = low[o] = '\n'; o++; break;
		case 'r': dst[o] = low[o] = '\r'; o++; break;
		case 't': dst[o] = low[o] = '\t'; o++; break;
		case 'u': {
			uint32_t cp, lo;
			if (!hex4(p, end, &cp)) {
				*endpos = (size_t)(p - s);
				return VG_JSTR_BAD_U;
			}
			p += 4;
			if (cp >= 0xD800 && cp < 0xDC00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
				if (!hex4(p + 2, end, &lo)) {
					*endpos = (size_t)(p + 2 - s);
					return VG_JSTR_BAD_U;
				}
				p += 6;
				if (lo >= 0xDC00 && lo < 0xE000)
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				else
					cp = 0xFFFD;
			} else if (cp >= 0xD800 && cp < 0xE000) {
				cp = 0xFFFD;
			}
			size_t w = vg_ev_utf8_put(dst + o, cp);
			for (size_t i = 0; i < w; i++)
				low[o + i] = low1(dst[o + i]);
			o += w;
			break;
		}
		default: *endpos = (size_t)(p - s); return VG_JSTR_BAD_ESCAPE;
		}
	}
}

vg_jstr_err vg_jstr_skip(const char *s, size_t len, size_t pos, size_t *endpos)
{
	const char *p = s + pos + 1, *end = s + len;
#if defined(__SSE2__)
	const __m128i quote = _mm_set1_epi8('"'), bsl = _mm_set1_epi8('\\');
#endif
	for (;;) {
		/* the next quote or backslash: 16 bytes at a time, then the tail */
#if defined(__SSE2__)
		for (; end - p >= 16; p += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
			unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bsl)));
			if (m) {
				p += __builtin_ctz(m);
				break;
			}
		}
#endif
		while (p < end && *p != '"' && *p != '\\')
			p++;
		if (p >= end) {
			*endpos = len;
			return VG_JSTR_UNTERMINATED;
		}
		if (*p == '"') {
			*endpos = (size_t)(p - s) + 1;
			return VG_JSTR_OK;
		}
		if (++p >= end) {
			*endpos = len;
			return VG_JSTR_BAD_ESCAPE;
		}
		char c = *p++;
		uint32_t cp;
		if (c == 'u' && !hex4(p, end, &cp)) {
			*endpos = (size_t)(p - s);
			return VG_JSTR_BAD_U;
		}
		if (c == 'u')
			p += 4;
		else if (!c || !strchr("\"\\/bfnrt", c)) {
			*endpos = (size_t)(p - s);
			return VG_JSTR_BAD_ESCAPE;
		}
	}
}
