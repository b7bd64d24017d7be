#pragma once
// A hash queue (pipeline::HashQueue) that keeps the work offered to it until the test runs it:
// the latest a real queue could run it.

#include "pipeline/upload_session.hpp"

#include <functional>
#include <thread>
#include <vector>

namespace supportdrop::test {

class HeldQueue {
public:
    pipeline::HashQueue queue() {
        return [this](std::function<void()> work) { m_work.push_back(std::move(work)); };
    }
    std::size_t size() const { return m_work.size(); }
    // Runs the work, in the order offered, on another thread.
    void run_on_another_thread() {
        std::thread([this] {
            for (auto& work : m_work) {
                work();
            }
        }).join();
        m_work.clear();
    }

private:
    std::vector<std::function<void()>> m_work;
};

} // namespace supportdrop::test
