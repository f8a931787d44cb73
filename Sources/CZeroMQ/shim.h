#ifndef CZEROMQ_SHIM_H
#define CZEROMQ_SHIM_H

// The only C header the ZeroMQ target sees. Debian's libzmq3-dev installs it in /usr/include,
// so no pkg-config lookup is needed (libzmq.pc would add prohibited -isystem flags).
#include <zmq.h>

#endif
