#include "util/side_task.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <thread>
#include <vector>

namespace supportdrop::util {
namespace {

TEST(SideTask, TheOwnerRunsWorkThatNobodyClaimed) {
    std::vector<std::function<void()>> queue; // a pool too busy to get to it
    const Offer offer = [&queue](std::function<void()> work) { queue.push_back(std::move(work)); };
    int runs = 0;
    std::thread::id ran_on;
    {
        SideTask task(offer, [&] {
            ++runs;
            ran_on = std::this_thread::get_id();
        });
        task.run_or_wait();
        EXPECT_EQ(runs, 1);
        EXPECT_EQ(ran_on, std::this_thread::get_id());
    }
    // The pool gets to it after all: the work has run and is not run again.
    ASSERT_EQ(queue.size(), 1u);
    queue.front()();
    EXPECT_EQ(runs, 1);
}

TEST(SideTask, TheOwnerWaitsForWorkAnotherThreadClaimed) {
    std::latch started(1);
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::thread helper;
    const Offer offer = [&helper](std::function<void()> work) { helper = std::thread(std::move(work)); };
    std::atomic<int> runs = 0;
    std::thread::id ran_on;
    SideTask task(offer, [&] {
        started.count_down();
        released.wait();
        ran_on = std::this_thread::get_id();
        ++runs;
    });
    started.wait(); // the helper has claimed it

    auto owner = std::async(std::launch::async, [&task] { task.run_or_wait(); });
    EXPECT_EQ(owner.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout)
        << "returned before the work had run";
    release.set_value();
    owner.get();
    EXPECT_EQ(runs, 1);
    EXPECT_EQ(ran_on, helper.get_id());
    helper.join();
}

TEST(SideTask, GoingOutOfScopeWaitsForTheWork) {
    std::thread helper;
    const Offer offer = [&helper](std::function<void()> work) { helper = std::thread(std::move(work)); };
    std::atomic<int> runs = 0;
    {
        const SideTask task(offer, [&runs] {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            ++runs;
        });
    }
    EXPECT_EQ(runs, 1);
    helper.join();
}

} // namespace
} // namespace supportdrop::util
