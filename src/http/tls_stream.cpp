#include "http/tls_stream.hpp"

#include <boost/asio/ssl/error.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <stdexcept>
#include <sys/socket.h>

namespace supportdrop::http {
namespace {

int descriptor(BIO* bio) {
    return *static_cast<const int*>(BIO_get_data(bio));
}

// A BIO on the non-blocking socket. OpenSSL's own socket BIO would do, but writes with write(2),
// which raises SIGPIPE when the client has gone; this one sends with MSG_NOSIGNAL.
int socket_read(BIO* bio, char* data, std::size_t size, std::size_t* read) {
    BIO_clear_retry_flags(bio);
    const ssize_t n = ::recv(descriptor(bio), data, size, 0);
    if (n > 0) {
        *read = static_cast<std::size_t>(n);
        return 1;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        BIO_set_retry_read(bio);
    }
    return 0; // n == 0: the client closed the connection
}

int socket_write(BIO* bio, const char* data, std::size_t size, std::size_t* written) {
    BIO_clear_retry_flags(bio);
    const ssize_t n = ::send(descriptor(bio), data, size, MSG_NOSIGNAL);
    if (n >= 0) {
        *written = static_cast<std::size_t>(n);
        return 1;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        BIO_set_retry_write(bio);
    }
    return 0;
}

long socket_control(BIO* /*bio*/, int command, long /*number*/, void* /*pointer*/) {
    return command == BIO_CTRL_FLUSH ? 1 : 0; // nothing is buffered here
}

int socket_create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
}

const BIO_METHOD* socket_method() {
    static BIO_METHOD* const method = [] {
        BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "supportdrop socket");
        if (m == nullptr || BIO_meth_set_read_ex(m, socket_read) != 1 || BIO_meth_set_write_ex(m, socket_write) != 1 ||
            BIO_meth_set_ctrl(m, socket_control) != 1 || BIO_meth_set_create(m, socket_create) != 1) {
            throw std::runtime_error("cannot make the TLS socket BIO");
        }
        return m;
    }();
    return method;
}

// The error of a failed OpenSSL call, as asio's ssl::stream reports it.
beast::error_code ssl_failure(int code) {
    const int system_error = errno; // of the BIO's failed send or receive, if that was it
    const unsigned long queued = ERR_get_error();
    ERR_clear_error();
    if (code == SSL_ERROR_ZERO_RETURN) {
        return asio::error::eof;
    }
    if ((code == SSL_ERROR_SSL && ERR_GET_REASON(queued) == SSL_R_UNEXPECTED_EOF_WHILE_READING) ||
        (code == SSL_ERROR_SYSCALL && queued == 0 && system_error == 0)) {
        return asio::ssl::error::stream_truncated;
    }
    if (code == SSL_ERROR_SYSCALL && queued == 0) {
        return {system_error, boost::system::system_category()};
    }
    if (queued == 0) {
        return asio::ssl::error::unexpected_result; // e.g. a connection that failed before
    }
    return {static_cast<int>(queued), asio::error::get_ssl_category()};
}

} // namespace

TlsStream::TlsStream(asio::ip::tcp::socket socket, ssl_ctx_st* context)
    : m_state(std::make_shared<State>(std::move(socket))) {
    m_state->socket.non_blocking(true);
    // OpenSSL sends each record as it is made (a handshake flight is several): with Nagle's
    // algorithm the second would wait for the client's delayed acknowledgement of the first.
    m_state->socket.set_option(asio::ip::tcp::no_delay(true));
    m_ssl = SSL_new(context);
    BIO* bio = BIO_new(socket_method());
    if (m_ssl == nullptr || bio == nullptr) {
        BIO_free(bio);
        SSL_free(m_ssl);
        throw std::runtime_error("cannot make a TLS connection");
    }
    m_descriptor = m_state->socket.native_handle();
    BIO_set_data(bio, &m_descriptor);
    SSL_set_bio(m_ssl, bio, bio);
    SSL_set_accept_state(m_ssl);
    // Writes that end after a record; record buffers only while they hold bytes (an idle
    // keep-alive connection keeps none: 32 uploads of 5 MiB at once peaked at 31.1 instead of
    // 31.9 MiB, for the same CPU); reads that take what has arrived of the following records too.
    // The record buffer keeps its default size, one record: with 32, 64 or 128 KiB a 50 MiB
    // upload took as much CPU (100-103 ms, ten interleaved uploads each), and one that large,
    // released whenever it ran empty, was an mmap and its page faults each time.
    SSL_set_mode(m_ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_RELEASE_BUFFERS);
    SSL_set_read_ahead(m_ssl, 1);
}

TlsStream::~TlsStream() {
    SSL_free(m_ssl);
    boost::system::error_code ignored;
    m_state->socket.close(ignored);
    // The timer goes with the state, unless its handler is running: it holds a weak reference.
}

void TlsStream::expires_after(std::chrono::steady_clock::duration duration) {
    State& state = *m_state;
    state.expired = false;
    const std::uint64_t set = ++state.deadline_set;
    state.timer.expires_after(duration);
    state.timer.async_wait([weak = std::weak_ptr<State>(m_state), set](boost::system::error_code error) {
        const auto shared = weak.lock();
        if (error || !shared || shared->deadline_set != set) {
            return; // cancelled, or the stream and its socket are gone, or a later deadline was set
        }
        shared->expired = true;
        if (shared->waiting) {
            shared->socket.cancel();
        }
    });
}

beast::error_code TlsStream::begin_wait() {
    if (m_state->expired) {
        return beast::error::timeout;
    }
    m_state->waiting = true;
    return {};
}

beast::error_code TlsStream::end_wait(beast::error_code waited) {
    m_state->waiting = false;
    if (waited == asio::error::operation_aborted && m_state->expired) {
        return beast::error::timeout;
    }
    return waited;
}

TlsStream::Progress TlsStream::attempt(Step step, std::span<std::uint8_t> bytes) {
    if (bytes.empty() && (step == Step::read || step == Step::write)) {
        return {};
    }
    // SSL_get_error() reads the thread's error queue, which must be empty before each call, and
    // errno for a failed send or receive.
    ERR_clear_error();
    errno = 0;
    int result = 0;
    std::size_t done = 0;
    switch (step) {
    case Step::handshake: result = SSL_do_handshake(m_ssl); break;
    case Step::read:
        // Everything that arrived: OpenSSL receives on into its record buffer as long as the
        // socket has bytes, and asks to wait only once it has none.
        while (done < bytes.size()) {
            std::size_t n = 0;
            result = SSL_read_ex(m_ssl, bytes.data() + done, bytes.size() - done, &n);
            if (result != 1) {
                break;
            }
            done += n;
        }
        if (done > 0) {
            ERR_clear_error();
            return {Want::done, {}, done}; // a failure after these bytes comes again with the next read
        }
        break;
    case Step::write: result = SSL_write_ex(m_ssl, bytes.data(), bytes.size(), &done); break;
    case Step::shutdown:
        result = SSL_shutdown(m_ssl);
        if (result == 0) {
            return {}; // close_notify sent; the client's is not awaited
        }
        break;
    }
    if (result == 1) {
        return {Want::done, {}, done};
    }
    switch (const int code = SSL_get_error(m_ssl, result)) {
    case SSL_ERROR_WANT_READ: return {Want::read, {}, 0};
    case SSL_ERROR_WANT_WRITE: return {Want::write, {}, 0};
    default: return {Want::done, ssl_failure(code), 0};
    }
}

} // namespace supportdrop::http
