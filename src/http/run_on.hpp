#pragma once
// Awaiting blocking work on a thread pool from a coroutine.

#include <boost/asio.hpp>

#include <type_traits>

namespace supportdrop::http {

namespace asio = boost::asio;

// Runs `work` on `pool` (the workers or the inspection threads) and resumes on the caller's
// executor with its result.
template <class Work>
asio::awaitable<std::invoke_result_t<Work>> run_on(asio::thread_pool& pool, Work work) {
    using Value = std::invoke_result_t<Work>;
    co_return co_await asio::co_spawn(
        pool, [&work]() -> asio::awaitable<Value> { co_return work(); }, asio::use_awaitable);
}

} // namespace supportdrop::http
