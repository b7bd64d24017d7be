#pragma once
// Work that another thread may take on while the calling thread does something else, such as
// hashing a buffer while it is sealed. Whichever thread claims the work first runs it; the
// owner's run_or_wait() returns once it has run. The owner never waits for work that still sits
// in a queue: if no other thread has claimed it by then, the owner runs it itself. So threads
// of a pool that all offer side tasks to that same pool cannot deadlock, and when the pool is
// busy an offer costs only the offer.

#include <functional>
#include <memory>

namespace supportdrop::util {

// Hands a callable to another thread (for example by posting it to a thread pool), which may
// run it at any time, also after it is no longer wanted, or never.
using Offer = std::function<void(std::function<void()>)>;

class SideTask {
public:
    // Offers `work` through `offer`. `work` must not throw, and what it refers to must stay
    // valid until run_or_wait() has returned.
    SideTask(const Offer& offer, std::function<void()> work);
    SideTask(const SideTask&) = delete;
    SideTask& operator=(const SideTask&) = delete;
    // Calls run_or_wait().
    ~SideTask();

    // Runs the work on this thread unless another one has claimed it, and returns once it has run.
    void run_or_wait();

private:
    struct State;
    std::shared_ptr<State> m_state; // shared with the offered callable, which may outlive this
};

} // namespace supportdrop::util
