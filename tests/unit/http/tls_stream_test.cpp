#include "http/tls_stream.hpp"

#include <boost/asio/ssl/error.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <arpa/inet.h>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <netinet/in.h>
#include <random>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace supportdrop::http {
namespace {

using namespace std::chrono_literals;
using tcp = asio::ip::tcp;

struct SslCtxDeleter {
    void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

// A server context with a self-signed P-256 certificate made in memory.
SslCtxPtr make_server_context() {
    SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* certificate = X509_new();
    X509_set_version(certificate, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(certificate), 1);
    X509_gmtime_adj(X509_getm_notBefore(certificate), 0);
    X509_gmtime_adj(X509_getm_notAfter(certificate), 3600);
    X509_set_pubkey(certificate, key);
    X509_NAME* name = X509_get_subject_name(certificate);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1,
                               0);
    X509_set_issuer_name(certificate, name);
    X509_sign(certificate, key, EVP_sha256());
    SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
    // As the server's: no tickets after the handshake, which a client that closes without
    // reading them would answer with a reset.
    SSL_CTX_set_num_tickets(context.get(), 0);
    const bool loaded =
        SSL_CTX_use_certificate(context.get(), certificate) == 1 && SSL_CTX_use_PrivateKey(context.get(), key) == 1;
    X509_free(certificate);
    EVP_PKEY_free(key);
    return loaded ? std::move(context) : nullptr;
}

// A blocking client on its own socket: the peer the server's TlsStream talks to.
class Client {
public:
    explicit Client(unsigned short port) : m_context(SSL_CTX_new(TLS_client_method())) {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        m_connected = ::connect(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    ~Client() {
        SSL_free(m_ssl);
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }

    bool handshake() {
        m_ssl = SSL_new(m_context.get());
        SSL_set_fd(m_ssl, m_fd);
        return m_connected && SSL_connect(m_ssl) == 1;
    }
    bool send(const std::vector<std::uint8_t>& bytes) {
        std::size_t written = 0;
        return SSL_write_ex(m_ssl, bytes.data(), bytes.size(), &written) == 1 && written == bytes.size();
    }
    // Reads until `size` bytes came or the connection ended; the SSL error of the read that ended it.
    std::vector<std::uint8_t> receive(std::size_t size, int* ended_with = nullptr) {
        std::vector<std::uint8_t> bytes(size);
        std::size_t done = 0;
        while (done < size) {
            std::size_t n = 0;
            const int result = SSL_read_ex(m_ssl, bytes.data() + done, size - done, &n);
            if (result != 1) {
                if (ended_with != nullptr) {
                    *ended_with = SSL_get_error(m_ssl, result);
                }
                break;
            }
            done += n;
        }
        bytes.resize(done);
        return bytes;
    }
    void send_close_notify() { SSL_shutdown(m_ssl); }
    void send_plain(std::string_view text) { (void)::send(m_fd, text.data(), text.size(), MSG_NOSIGNAL); }
    void close() { ::close(std::exchange(m_fd, -1)); }

private:
    SslCtxPtr m_context;
    SSL* m_ssl = nullptr;
    int m_fd = -1;
    bool m_connected = false;
};

std::vector<std::uint8_t> random_bytes(std::size_t size) {
    std::vector<std::uint8_t> bytes(size);
    std::mt19937 generator(42);
    for (auto& byte : bytes) {
        byte = static_cast<std::uint8_t>(generator());
    }
    return bytes;
}

class TlsStreamTest : public ::testing::Test {
protected:
    TlsStreamTest() : m_context(make_server_context()), m_acceptor(m_io, {asio::ip::address_v4::loopback(), 0}) {}

    unsigned short port() const { return m_acceptor.local_endpoint().port(); }

    // Accepts one connection and runs `serve` on it, while `client` runs on a thread of its own.
    void run(const std::function<asio::awaitable<void>(TlsStream&)>& serve, const std::function<void()>& client) {
        ASSERT_TRUE(m_context);
        std::thread peer(client);
        asio::co_spawn(
            m_io,
            [&]() -> asio::awaitable<void> {
                tcp::socket socket = co_await m_acceptor.async_accept(asio::use_awaitable);
                TlsStream stream(std::move(socket), m_context.get());
                stream.expires_after(10s);
                co_await serve(stream);
            },
            [](const std::exception_ptr& failure) {
                if (failure) {
                    std::rethrow_exception(failure);
                }
            });
        m_io.run();
        peer.join();
    }

    static asio::awaitable<beast::error_code> handshake(TlsStream& stream) {
        beast::error_code error;
        co_await stream.async_handshake(asio::redirect_error(asio::use_awaitable, error));
        co_return error;
    }

    // One read_some: its error and what it read.
    static asio::awaitable<std::pair<beast::error_code, std::size_t>> read_some(TlsStream& stream,
                                                                                std::span<std::uint8_t> into) {
        beast::error_code error;
        const std::size_t n = co_await stream.async_read_some(asio::buffer(into.data(), into.size()),
                                                              asio::redirect_error(asio::use_awaitable, error));
        co_return std::pair{error, n};
    }

    asio::io_context m_io;
    SslCtxPtr m_context;
    tcp::acceptor m_acceptor;
};

TEST_F(TlsStreamTest, OneReadTakesAllRecordsThatArrivedAndWritesGoBackWhole) {
    // Four records, less than a loopback connection's first receive window (64 KiB): the
    // client sends all of them before the server reads.
    const auto request = random_bytes(3 * 16384 + 100);
    const auto response = random_bytes(300'000);
    std::promise<void> sent;
    std::vector<std::uint8_t> received_by_client;
    int client_end = 0;
    std::vector<std::size_t> reads;
    std::vector<std::uint8_t> received(request.size());
    run(
        [&](TlsStream& stream) -> asio::awaitable<void> {
            EXPECT_FALSE(co_await handshake(stream));
            EXPECT_EQ(sent.get_future().wait_for(5s), std::future_status::ready);
            const auto patience = std::chrono::steady_clock::now() + 5s;
            while (stream.socket().available() < request.size() && std::chrono::steady_clock::now() < patience) {
                std::this_thread::sleep_for(1ms); // until all four records have arrived
            }
            std::size_t done = 0;
            while (done < received.size()) {
                auto [error, n] = co_await read_some(stream, std::span(received).subspan(done));
                EXPECT_FALSE(error) << error.message();
                if (error) {
                    co_return;
                }
                reads.push_back(n);
                done += n;
            }
            // A sequence of two buffers, as Beast writes a header and a body.
            const std::array buffers{asio::buffer(response.data(), 1000),
                                     asio::buffer(response.data() + 1000, response.size() - 1000)};
            beast::error_code error;
            co_await asio::async_write(stream, buffers, asio::redirect_error(asio::use_awaitable, error));
            EXPECT_FALSE(error) << error.message();
            co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, error));
            EXPECT_FALSE(error) << error.message();
        },
        [&] {
            Client client(port());
            ASSERT_TRUE(client.handshake());
            ASSERT_TRUE(client.send(request));
            sent.set_value();
            received_by_client = client.receive(response.size() + 1, &client_end);
        });
    EXPECT_EQ(received, request);
    EXPECT_EQ(reads, std::vector<std::size_t>{request.size()}) << "one read for all four records";
    EXPECT_EQ(received_by_client, response);
    EXPECT_EQ(client_end, SSL_ERROR_ZERO_RETURN) << "the server's close_notify ends the client's read";
}

TEST_F(TlsStreamTest, TheClientsCloseNotifyIsEndOfFileAndAConnectionClosedWithoutItIsTruncated) {
    for (const bool close_notify : {true, false}) {
        beast::error_code error;
        run(
            [&](TlsStream& stream) -> asio::awaitable<void> {
                EXPECT_FALSE(co_await handshake(stream));
                std::vector<std::uint8_t> into(100);
                std::tie(error, std::ignore) = co_await read_some(stream, into);
            },
            [&] {
                Client client(port());
                ASSERT_TRUE(client.handshake());
                if (close_notify) {
                    client.send_close_notify();
                }
                client.close();
            });
        m_io.restart();
        EXPECT_EQ(error, close_notify ? beast::error_code(asio::error::eof)
                                      : beast::error_code(asio::ssl::error::stream_truncated))
            << error.message();
    }
}

TEST_F(TlsStreamTest, TheDeadlineEndsAWaitingOperationAndEveryLaterOneWithTimeout) {
    beast::error_code handshake_error;
    beast::error_code later_error;
    std::chrono::steady_clock::duration waited{};
    std::promise<void> done;
    run(
        [&](TlsStream& stream) -> asio::awaitable<void> {
            stream.expires_after(200ms);
            const auto started = std::chrono::steady_clock::now();
            handshake_error = co_await handshake(stream);
            waited = std::chrono::steady_clock::now() - started;
            std::vector<std::uint8_t> into(100);
            std::tie(later_error, std::ignore) = co_await read_some(stream, into);
            done.set_value();
        },
        [&] {
            Client client(port()); // connects, and sends nothing
            done.get_future().wait();
        });
    EXPECT_EQ(handshake_error, beast::error::timeout) << handshake_error.message();
    EXPECT_GE(waited, 200ms);
    EXPECT_LT(waited, 2s);
    EXPECT_EQ(later_error, beast::error::timeout) << later_error.message();
}

TEST_F(TlsStreamTest, PlainHttpFailsTheHandshakeWithOpenSslsReason) {
    beast::error_code error;
    run([&](TlsStream& stream) -> asio::awaitable<void> { error = co_await handshake(stream); },
        [&] {
            Client client(port());
            client.send_plain("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            std::this_thread::sleep_for(100ms);
        });
    EXPECT_EQ(error.category(), asio::error::get_ssl_category()) << error.message();
}

// The server must not die of SIGPIPE when it writes to a client that has gone.
TEST_F(TlsStreamTest, WritingToAClientThatHasGoneFailsWithoutASignal) {
    const auto response = random_bytes(8 << 20);
    beast::error_code error;
    std::promise<void> gone;
    run(
        [&](TlsStream& stream) -> asio::awaitable<void> {
            EXPECT_FALSE(co_await handshake(stream));
            gone.get_future().wait();
            co_await asio::async_write(stream, asio::buffer(response),
                                       asio::redirect_error(asio::use_awaitable, error));
        },
        [&] {
            Client client(port());
            ASSERT_TRUE(client.handshake());
            client.close();
            gone.set_value();
        });
    EXPECT_TRUE(error == asio::error::broken_pipe || error == asio::error::connection_reset) << error.message();
}

} // namespace
} // namespace supportdrop::http
