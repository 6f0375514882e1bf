#include "social/visibility.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

// Each kind of viewer the issue names, as a relation to the author.
struct Viewer {
  const char* name;
  ViewerRelation relation;
};

const Viewer kAuthor{"author", {.is_author = true}};
const Viewer kFollower{"follower", {.follows_author = true}};
const Viewer kMentioned{"mentioned", {.mentioned = true}};
const Viewer kStranger{"stranger", {}};
const Viewer kBlocked{"blocked",
                      {.follows_author = false, .mentioned = true, .blocked_either_way = true}};
const Viewer kAnonymous{"anonymous", {.anonymous = true}};

TEST(MaySee, MatrixOfVisibilityAndViewer) {
  struct Row {
    Visibility visibility;
    bool author, follower, mentioned, stranger, blocked, anonymous;
  };
  const Row rows[] = {
      {Visibility::kPublic, true, true, true, true, false, true},
      {Visibility::kUnlisted, true, true, true, true, false, true},
      {Visibility::kPrivate, true, true, true, false, false, false},
      {Visibility::kDirect, true, false, true, false, false, false},
  };
  for (const Row& row : rows) {
    const std::pair<const Viewer*, bool> cases[] = {
        {&kAuthor, row.author},     {&kFollower, row.follower}, {&kMentioned, row.mentioned},
        {&kStranger, row.stranger}, {&kBlocked, row.blocked},   {&kAnonymous, row.anonymous}};
    for (const auto& [viewer, expected] : cases) {
      EXPECT_EQ(MaySee(row.visibility, viewer->relation), expected)
          << "visibility " << static_cast<int>(row.visibility) << ", viewer " << viewer->name;
    }
  }
}

TEST(MaySee, BlockHidesEvenFromFollowersAndMentioned) {
  EXPECT_FALSE(MaySee(Visibility::kPrivate, {.follows_author = true, .blocked_either_way = true}));
  EXPECT_FALSE(MaySee(Visibility::kDirect, {.mentioned = true, .blocked_either_way = true}));
}

}  // namespace
}  // namespace chirp
