/* Syslog messages (RFC 3164 and RFC 5424) to events: placeholder, filled by
 * the syslog work of issue 4. */
#include "detect/input.h"
