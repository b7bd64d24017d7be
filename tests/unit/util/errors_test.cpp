#include "util/errors.hpp"

#include <gtest/gtest.h>

namespace supportdrop::util {
namespace {

TEST(Errors, AFullDiskOrQuotaIsOutOfSpaceAndNothingElseIs) {
    EXPECT_TRUE(is_out_of_space(ErrorCode(ENOSPC, boost::system::system_category())));
    EXPECT_TRUE(is_out_of_space(ErrorCode(EDQUOT, boost::system::system_category())));
    EXPECT_TRUE(is_out_of_space(ErrorCode(ENOSPC, boost::system::generic_category())));
    EXPECT_FALSE(is_out_of_space(ErrorCode(EIO, boost::system::system_category())));
    EXPECT_FALSE(is_out_of_space(ErrorCode(Errc::file_exists)));
    EXPECT_FALSE(is_out_of_space(ErrorCode()));
}

} // namespace
} // namespace supportdrop::util
