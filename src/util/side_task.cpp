#include "util/side_task.hpp"

#include <atomic>

namespace supportdrop::util {

struct SideTask::State {
    enum Phase : int { offered, claimed, done };

    explicit State(std::function<void()> work_) : work(std::move(work_)) {}

    void claim_and_run() {
        int expected = offered;
        if (!phase.compare_exchange_strong(expected, claimed, std::memory_order_acquire)) {
            return;
        }
        work();
        work = nullptr; // what it refers to may go as soon as `done` is seen
        phase.store(done, std::memory_order_release);
        phase.notify_all();
    }

    std::atomic<int> phase{offered};
    std::function<void()> work; // touched only by the thread that claimed it
};

SideTask::SideTask(const Offer& offer, std::function<void()> work) : m_state(std::make_shared<State>(std::move(work))) {
    offer([state = m_state] { state->claim_and_run(); });
}

SideTask::~SideTask() {
    run_or_wait();
}

void SideTask::run_or_wait() {
    m_state->claim_and_run();
    for (int phase = m_state->phase.load(std::memory_order_acquire); phase != State::done;
         phase = m_state->phase.load(std::memory_order_acquire)) {
        m_state->phase.wait(phase, std::memory_order_acquire);
    }
}

} // namespace supportdrop::util
