#include "mastodon/status_directory.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "mastodon/mastodon_test_support.h"

namespace chirp {
namespace {

class StatusDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitSecrets());
    api_ = std::make_unique<TestReadSide>(
        std::string("directory-") + ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        2);
    ASSERT_TRUE(api_->ok());
  }

  std::unique_ptr<TestReadSide> api_;
};

TEST_F(StatusDirectoryTest, ACachedStatusHoldsItsWordsOnlyInItsJson) {
  const int64_t id = api_->Post(1, "hello #world, from a cached status");
  auto cached = api_->statuses().Get(id, "http://chirp.test");
  ASSERT_TRUE(cached.ok());
  EXPECT_TRUE((*cached)->record.text.empty());
  EXPECT_TRUE((*cached)->record.content.empty());
  EXPECT_NE((*cached)->fixed.find("from a cached status"), std::string::npos);
  EXPECT_EQ((*cached)->record.account_id, 1);
  EXPECT_EQ((*cached)->record.tags, std::vector<std::string>{"world"});

  auto whole = api_->statuses().FindWhole(id);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->text, "hello #world, from a cached status");
  EXPECT_FALSE(whole->content.empty());

  auto source = api_->statuses().RenderSource(id, "http://chirp.test");
  ASSERT_TRUE(source.ok());
  auto fixed = boost::json::parse("{" + (*source)->fixed + "}").as_object();
  EXPECT_EQ(fixed.at("text").as_string(), "hello #world, from a cached status");
}

TEST_F(StatusDirectoryTest, FindLiveManyReadsWhatIsNotHeldInOneGoInTheOrderAsked) {
  const int64_t held = api_->Post(1, "held");
  const int64_t stored = api_->Post(1, "stored");
  const int64_t deleted = api_->Post(2, "deleted");
  ASSERT_TRUE(api_->statuses().Get(held, "http://chirp.test").ok());
  api_->statuses().Forget(stored);
  ASSERT_TRUE(api_->store().DeleteStatus(deleted, 1).ok());
  api_->statuses().Forget(deleted);
  auto found = api_->statuses().FindLiveMany({stored, deleted, 999, held});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].id, stored);
  EXPECT_EQ((*found)[1].id, held);
}

TEST_F(StatusDirectoryTest, AStatusReadUnderAnotherHostNameIsRenderedForIt) {
  const int64_t id = api_->Post(1, "hosts");
  ASSERT_TRUE(api_->statuses().Get(id, "http://chirp.test").ok());
  auto other = api_->statuses().Get(id, "http://other.test");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)->base_url, "http://other.test");
  EXPECT_NE((*other)->fixed.find("http://other.test/@user1/"), std::string::npos);
  EXPECT_NE((*other)->fixed.find("hosts"), std::string::npos);
  // The entry cached first stays.
  auto first = api_->statuses().Get(id, "http://chirp.test");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)->base_url, "http://chirp.test");
}

TEST_F(StatusDirectoryTest, TheCacheStaysWithinItsBytes) {
  // A budget of about 64 statuses (one per shard) in a directory apart from
  // the one the services keep.
  StatusDirectory small(api_->store(), api_->accounts(), 1 << 20,
                        SnapshotCache<CachedStatus>::kShards * 2000);
  std::vector<int64_t> ids;
  for (int i = 0; i < 300; ++i) ids.push_back(api_->Post(1, "status " + std::to_string(i)));
  auto found = small.GetMany(ids, "http://chirp.test");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), ids.size());  // all answered, whatever is kept
  EXPECT_GT(small.size(), 0u);
  EXPECT_LT(small.size(), ids.size());
  EXPECT_LE(small.bytes(), SnapshotCache<CachedStatus>::kShards * 2000 + 64 * 2000);
  // What one status weighs counts its JSON.
  EXPECT_GT(small.bytes() / small.size(), (*found)[0]->fixed.size());
}

}  // namespace
}  // namespace chirp
