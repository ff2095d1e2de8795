#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <microhttpd.h>

/* MHD_start_daemon is variadic, which Swift cannot call: this wrapper fixes the options
   GSPServer uses. host is a numeric IPv4 or IPv6 address; port 0 picks a free one.
   per_ip_connection_limit caps the connections one client address may hold (0: no cap); a
   connection over it is closed as soon as it is accepted, before anything is read.
   logger (may be NULL) receives libmicrohttpd's own messages (malformed requests answered 400,
   connections refused by a limit); notify (may be NULL) hears each connection start and close.
   tls_key and tls_cert (PEM text, both or neither) serve HTTPS through libmicrohttpd's GnuTLS;
   libmicrohttpd reads them while starting.
   Returns NULL when the address does not parse or the daemon cannot start. */
static inline struct MHD_Daemon *cmhd_start(unsigned int flags, const char *host, uint16_t port,
                                            MHD_AccessHandlerCallback handler, void *handler_cls,
                                            MHD_RequestCompletedCallback completed, void *completed_cls,
                                            unsigned int connection_limit, unsigned int per_ip_connection_limit,
                                            unsigned int timeout_seconds, size_t connection_memory_limit,
                                            MHD_LogCallback logger, void *logger_cls,
                                            MHD_NotifyConnectionCallback notify, void *notify_cls,
                                            const char *tls_key, const char *tls_cert) {
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    const struct sockaddr *address;
    memset(&v4, 0, sizeof v4);
    memset(&v6, 0, sizeof v6);
    if (inet_pton(AF_INET, host, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(port);
        address = (const struct sockaddr *)&v4;
    } else if (inet_pton(AF_INET6, host, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(port);
        address = (const struct sockaddr *)&v6;
        flags |= MHD_USE_IPv6;
    } else {
        return NULL;
    }
    /* One option list, extended by what is switched on; MHD_OPTION_ARRAY keeps it in one call. */
    struct MHD_OptionItem options[12];
    int count = 0;
    /* The logger first: libmicrohttpd prints messages about the options after it through it. */
    if (logger != NULL) {
        flags |= MHD_USE_ERROR_LOG;
        options[count++] = (struct MHD_OptionItem){ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)logger, logger_cls };
    }
    options[count++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, (void *)address };
    options[count++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, completed_cls };
    options[count++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, connection_limit, NULL };
    options[count++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds, NULL };
    options[count++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)connection_memory_limit, NULL };
    if (per_ip_connection_limit > 0) {
        options[count++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip_connection_limit, NULL };
    }
    if (notify != NULL) {
        options[count++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)notify, notify_cls };
    }
    if (tls_key != NULL && tls_cert != NULL) {
        flags |= MHD_USE_TLS;
        options[count++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)tls_key };
        options[count++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)tls_cert };
    }
    options[count++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls, MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/* The socket context a connection-notify callback stored for this connection (NULL if none). */
static inline void *cmhd_connection_context(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info == NULL ? NULL : info->socket_context;
}

/* The client's numeric address into text (at least INET6_ADDRSTRLEN bytes); "" when unknown. */
static inline void cmhd_client_address(struct MHD_Connection *connection, char *text, size_t size) {
    text[0] = 0;
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL) return;
    const struct sockaddr *address = info->client_addr;
    if (address->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)address)->sin_addr, text, (socklen_t)size);
    } else if (address->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)address)->sin6_addr, text, (socklen_t)size);
    }
}

/* 1 when this libmicrohttpd can serve HTTPS (built with GnuTLS). */
static inline int cmhd_supports_tls(void) {
    return MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES;
}

/* The port the daemon listens on (the one the system chose when started on port 0); 0 if unknown. */
static inline uint16_t cmhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}
