#include <gtest/gtest.h>

#include <string>

#include "order_engine/journal.hpp"
#include "scratch_dir.hpp"

namespace order_engine {
namespace {

using testing_support::read_file;
using testing_support::ScratchDir;
using testing_support::write_file;

JournalRecord submit_record(const std::string& id, Quantity quantity) {
  JournalRecord record;
  record.kind = RecordKind::Submit;
  record.client_order_id = id;
  record.symbol = "BRK-B";
  record.side = Side::Sell;
  record.type = OrderType::Limit;
  record.time_in_force = TimeInForce::Ioc;
  record.quantity = quantity;
  record.price = 4'987'654;  // 498.7654 dollars
  record.reference = 5'000'000;
  return record;
}

TEST(Crc32, MatchesTheIeeeCheckValue) { EXPECT_EQ(crc32("123456789"), 0xCBF43926U); }

TEST(Journal, RecordsSurviveReopeningFieldForField) {
  ScratchDir dir;
  const std::string path = dir.file("journal.log");
  {
    OrderJournal journal(path);
    EXPECT_TRUE(journal.recovered().empty());
    journal.append(submit_record("D-BRK-B-SELL-1", 300));
    JournalRecord status;
    status.kind = RecordKind::Status;
    status.client_order_id = "D-BRK-B-SELL-1";
    status.symbol = "BRK-B";
    status.status = OrderStatus::PartiallyFilled;
    status.quantity = 120;
    status.leaves = 180;
    journal.append(status);
    journal.commit();
  }
  OrderJournal reopened(path);
  const auto& records = reopened.recovered();
  ASSERT_EQ(records.size(), 2U);
  const JournalRecord& submit = records[0];
  EXPECT_EQ(submit.sequence, 1U);
  EXPECT_GT(submit.wall_time_ns, 0);
  EXPECT_EQ(submit.kind, RecordKind::Submit);
  EXPECT_EQ(submit.client_order_id, "D-BRK-B-SELL-1");
  EXPECT_EQ(submit.symbol, "BRK-B");
  EXPECT_EQ(submit.side, Side::Sell);
  EXPECT_EQ(submit.time_in_force, TimeInForce::Ioc);
  EXPECT_EQ(submit.quantity, 300);
  EXPECT_EQ(submit.price, 4'987'654);
  EXPECT_EQ(submit.reference, 5'000'000);
  EXPECT_EQ(records[1].status, OrderStatus::PartiallyFilled);
  EXPECT_EQ(records[1].leaves, 180);
  EXPECT_EQ(records[1].sequence, 2U);
}

TEST(Journal, NothingIsWrittenBeforeCommit) {
  ScratchDir dir;
  const std::string path = dir.file("journal.log");
  OrderJournal journal(path);
  journal.append(submit_record("A-1", 1));
  EXPECT_EQ(read_file(path), "");
  journal.commit();
  EXPECT_EQ(read_file(path), format_record(parse_journal(read_file(path), path).at(0)));
}

TEST(Journal, ContinuesTheSequenceAfterReopening) {
  ScratchDir dir;
  const std::string path = dir.file("journal.log");
  {
    OrderJournal journal(path);
    journal.append(submit_record("A-1", 1));
    journal.commit();
  }
  {
    OrderJournal journal(path);
    journal.append(submit_record("A-2", 2));
    journal.commit();
  }
  const auto records = parse_journal(read_file(path), path);
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[1].sequence, 2U);
  EXPECT_EQ(records[1].client_order_id, "A-2");
}

TEST(Journal, RefusesASecondWriterWhileTheFirstHoldsIt) {
  ScratchDir dir;
  const std::string path = dir.file("journal.log");
  OrderJournal first(path);
  try {
    OrderJournal second(path);
    FAIL() << "a second writer opened the journal";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("locked by another process"), std::string::npos) << error.what();
  }
}

class DamagedJournal : public ::testing::Test {
 protected:
  void SetUp() override {
    OrderJournal journal(path_);
    for (int i = 1; i <= 3; ++i) journal.append(submit_record("A-" + std::to_string(i), i));
    journal.commit();
    text_ = read_file(path_);
    third_line_ = text_.find("\n", text_.find("\n") + 1) + 1;
  }

  /// Opening must fail at line 3, byte offset of line 3, saying `problem`.
  void expect_damage_at_third_line(const std::string& problem) {
    try {
      OrderJournal journal(path_);
      FAIL() << "a damaged journal opened";
    } catch (const JournalCorrupted& error) {
      EXPECT_EQ(error.line(), 3U);
      EXPECT_EQ(error.offset(), third_line_);
      const std::string message = error.what();
      EXPECT_NE(message.find(problem), std::string::npos) << message;
      EXPECT_NE(message.find(path_), std::string::npos) << message;
      EXPECT_NE(message.find("Never cut the journal by hand"), std::string::npos) << message;
      EXPECT_NE(message.find("python -m tasks.commands.journal repair"), std::string::npos) << message;
    }
  }

  ScratchDir dir_;
  std::string path_ = dir_.file("journal.log");
  std::string text_;
  std::size_t third_line_ = 0;
};

TEST_F(DamagedJournal, ReportsATornLastRecord) {
  write_file(path_, text_.substr(0, text_.size() - 7));
  expect_damage_at_third_line("incomplete");
}

TEST_F(DamagedJournal, ReportsAFlippedByte) {
  std::string damaged = text_;
  damaged[third_line_ + 3] ^= 0x01;
  write_file(path_, damaged);
  expect_damage_at_third_line("checksum mismatch");
}

TEST_F(DamagedJournal, ReportsGarbageAppended) {
  write_file(path_, text_.substr(0, third_line_) + std::string("\0\0garbage\n", 10));
  expect_damage_at_third_line("checksum mismatch");
}

TEST_F(DamagedJournal, ReportsAMissingRecord) {
  const std::size_t second_line = text_.find("\n") + 1;
  write_file(path_, text_.substr(0, second_line) + text_.substr(third_line_));
  try {
    OrderJournal journal(path_);
    FAIL() << "a journal with a gap opened";
  } catch (const JournalCorrupted& error) {
    EXPECT_EQ(error.line(), 2U);
    EXPECT_NE(std::string(error.what()).find("sequence 3, expected 2"), std::string::npos) << error.what();
  }
}

TEST_F(DamagedJournal, LeavesTheFileAsItWas) {
  const std::string damaged = text_.substr(0, text_.size() - 1);
  write_file(path_, damaged);
  EXPECT_THROW(OrderJournal{path_}, JournalCorrupted);
  EXPECT_EQ(read_file(path_), damaged);
}

TEST_F(DamagedJournal, ReportsWholeRecordsCutFromItsEnd) {
  write_file(path_, text_.substr(0, third_line_));  // two whole records: each line is intact
  try {
    OrderJournal journal(path_);
    FAIL() << "a journal cut at a record boundary opened";
  } catch (const JournalCorrupted& error) {
    EXPECT_EQ(error.line(), 3U);
    EXPECT_NE(std::string(error.what()).find("but 3 records (" + std::to_string(text_.size()) +
                                             " bytes) were committed"), std::string::npos) << error.what();
  }
  EXPECT_THROW(static_cast<void>(read_journal(path_)), JournalCorrupted);
  EXPECT_THROW(static_cast<void>(repair_journal(path_)), std::runtime_error);  // only a backup helps
  EXPECT_EQ(read_file(path_), text_.substr(0, third_line_));
}

TEST_F(DamagedJournal, RepairCutsOnlyAWriteTornAfterTheLastCommit) {
  const std::string torn = text_ + text_.substr(0, 40);  // a crash inside the next write
  write_file(path_, torn);
  EXPECT_THROW(OrderJournal{path_}, JournalCorrupted);
  const std::string said = repair_journal(path_);
  EXPECT_NE(said.find("cut 40 bytes"), std::string::npos) << said;
  EXPECT_EQ(read_file(path_), text_);
  const std::string kept = said.substr(said.rfind(' ') + 1);
  EXPECT_EQ(read_file(kept), torn);
  { EXPECT_EQ(OrderJournal(path_).recovered().size(), 3U); }
  EXPECT_NE(repair_journal(path_).find("nothing to repair"), std::string::npos);
}

TEST_F(DamagedJournal, RepairRefusesDamageInsideCommittedRecords) {
  std::string damaged = text_;
  damaged[third_line_ + 3] ^= 0x01;
  write_file(path_, damaged);
  try {
    static_cast<void>(repair_journal(path_));
    FAIL() << "repaired damage inside committed records";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("within committed records"), std::string::npos) << error.what();
  }
  EXPECT_EQ(read_file(path_), damaged);
}

TEST(Journal, ReportsAFieldThatDoesNotParseEvenWithAValidChecksum) {
  ScratchDir dir;
  const std::string path = dir.file("journal.log");
  std::string line = format_record(submit_record("A-1", 5));
  line = line.substr(0, line.rfind('\t'));
  line.replace(line.find("SELL"), 4, "HOLD");
  char checksum[9];
  std::snprintf(checksum, sizeof checksum, "%08x", crc32(line));
  write_file(path, line + "\t" + checksum + "\n");
  try {
    OrderJournal journal(path);
    FAIL() << "a record with side HOLD parsed";
  } catch (const JournalCorrupted& error) {
    EXPECT_NE(std::string(error.what()).find("field side"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace order_engine
