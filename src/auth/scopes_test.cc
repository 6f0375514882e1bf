#include "auth/scopes.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

TEST(ScopeSet, ParentsGrantTheirChildren) {
  const auto read = ScopeSet::Parse("read")->Expanded();
  EXPECT_TRUE(read.GrantsAny(*ScopeSet::Parse("read:accounts")));
  EXPECT_FALSE(read.GrantsAny(*ScopeSet::Parse("write:accounts")));
  const auto follow = ScopeSet::Parse("follow")->Expanded();
  EXPECT_TRUE(follow.GrantsAny(*ScopeSet::Parse("write:blocks")));
  EXPECT_FALSE(follow.GrantsAny(*ScopeSet::Parse("write:statuses")));
}

TEST(ScopeSet, GranularScopesDoNotGrantParents) {
  const auto granular = ScopeSet::Parse("read:accounts")->Expanded();
  EXPECT_TRUE(granular.GrantsAny(*ScopeSet::Parse("read:accounts profile")));
  EXPECT_FALSE(granular.GrantsAny(*ScopeSet::Parse("read:statuses")));
}

TEST(ScopeSet, RejectsUnknownScopes) {
  EXPECT_FALSE(ScopeSet::Parse("read bogus").has_value());
  EXPECT_TRUE(ScopeSet::Parse("")->empty());
  EXPECT_EQ(ScopeSet::Parse("write read+follow")->ToString(), "read write follow");
}

TEST(ScopeSet, RequestedScopesMustBeWithinTheApps) {
  EXPECT_TRUE(ScopesWithin("read", "read write"));
  EXPECT_TRUE(ScopesWithin("read:accounts", "read"));
  EXPECT_FALSE(ScopesWithin("write", "read"));
  EXPECT_FALSE(ScopesWithin("nonsense", "read"));
}

}  // namespace
}  // namespace chirp
