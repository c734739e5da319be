/* An LD_PRELOAD shim for the piv tests: the card answers SW 6F00 ("no precise diagnosis") to
 * every APDU whose INS byte is OTASIGN_TEST_FAIL_INS (hex), as a failing card would. It reaches
 * only callers linked against libpcsclite (libykpiv); OpenSC opens libpcsclite with dlopen and
 * looks its functions up in that handle, so OpenSC's APDUs pass untouched. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <winscard.h>

LONG SCardTransmit(SCARDHANDLE card, const SCARD_IO_REQUEST* send_pci, LPCBYTE send,
                   DWORD send_length, SCARD_IO_REQUEST* recv_pci, LPBYTE recv,
                   LPDWORD recv_length) {
    typedef LONG (*transmit_fn)(SCARDHANDLE, const SCARD_IO_REQUEST*, LPCBYTE, DWORD,
                                SCARD_IO_REQUEST*, LPBYTE, LPDWORD);
    static transmit_fn real;
    const char* ins = getenv("OTASIGN_TEST_FAIL_INS");
    if (ins && send_length >= 2 && recv_length && *recv_length >= 2 &&
        send[1] == (BYTE)strtoul(ins, NULL, 16)) {
        recv[0] = 0x6F;
        recv[1] = 0x00;
        *recv_length = 2;
        return SCARD_S_SUCCESS;
    }
    if (!real) {
        void* symbol = dlsym(RTLD_NEXT, "SCardTransmit");
        memcpy(&real, &symbol, sizeof real); /* ISO C has no object-to-function pointer cast */
    }
    return real(card, send_pci, send, send_length, recv_pci, recv, recv_length);
}
