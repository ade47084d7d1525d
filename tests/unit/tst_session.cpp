// Session files: exact round trip, bit-identical resume, atomic saves under failure and kill -9,
// rejection of bad files with one clear message, CSV export, autosave and crash recovery.
#include "core/experiment/experiment.hpp"
#include "core/session/autosave.hpp"
#include "core/session/child_process.hpp"
#include "core/session/csv_export.hpp"
#include "core/session/hdf5_io.hpp"
#include "core/session/session_file.hpp"

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QDir>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace cbl;
namespace fs = std::filesystem;

namespace {

ExperimentConfig small_config(const std::string& preset) {
    ExperimentConfig c = load_preset(preset);
    c.dataset.source = "synthetic";
    c.dataset.synthetic_train = 120;
    c.dataset.synthetic_test = 60;
    c.network.layers = {785, 24, 10};
    c.training.epochs = 5;
    return c;
}

std::shared_ptr<const DataSplit> data_for(const ExperimentConfig& c) {
    static std::map<std::pair<int, int>, std::shared_ptr<const DataSplit>> cache;
    auto& d = cache[{c.dataset.synthetic_train, c.dataset.synthetic_test}];
    if (!d) d = std::make_shared<DataSplit>(load_dataset(c.dataset));
    return d;
}

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

/// Every field, exactly (wall_seconds too unless told otherwise).
void compare_history(const std::vector<EpochMetrics>& a, const std::vector<EpochMetrics>& b,
                     bool wall_clock = true) {
    QCOMPARE(a.size(), b.size());
    for (std::size_t e = 0; e < a.size(); ++e) {
        QCOMPARE(a[e].epoch, b[e].epoch);
        QCOMPARE(a[e].images, b[e].images);
        QCOMPARE(a[e].train_accuracy, b[e].train_accuracy);
        QCOMPARE(a[e].test_accuracy, b[e].test_accuracy);
        QCOMPARE(a[e].train_loss, b[e].train_loss);
        QCOMPARE(a[e].test_loss, b[e].test_loss);
        QCOMPARE(a[e].learning_rate, b[e].learning_rate);
        QCOMPARE(a[e].refreshes, b[e].refreshes);
        QCOMPARE(a[e].simulated_time_s, b[e].simulated_time_s);
        if (wall_clock) QCOMPARE(a[e].wall_seconds, b[e].wall_seconds);
        QVERIFY(a[e].device_updates == b[e].device_updates);
        QVERIFY(a[e].fp_equivalent_updates == b[e].fp_equivalent_updates);
        QVERIFY(a[e].counts == b[e].counts);
    }
}

void compare_state(const ExperimentState& a, const ExperimentState& b) {
    QVERIFY(a.config == b.config);
    QCOMPARE(a.step, b.step);
    QCOMPARE(a.position, b.position);
    QCOMPARE(a.correct, b.correct);
    QCOMPARE(a.loss_sum, b.loss_sum);
    QCOMPARE(a.simulated_time_s, b.simulated_time_s);
    QCOMPARE(a.in_batch, b.in_batch);
    compare_history(a.history, b.history);
    QCOMPARE(a.events.size(), b.events.size());
    for (std::size_t i = 0; i < a.events.size(); ++i) {
        QCOMPARE(a.events[i].step, b.events[i].step);
        QCOMPARE(a.events[i].simulated_time_s, b.events[i].simulated_time_s);
        QCOMPARE(a.events[i].what, b.events[i].what);
    }
    QCOMPARE(a.arrays.size(), b.arrays.size());
    for (const auto& [path, array] : a.arrays) {
        QVERIFY2(b.arrays.count(path), path.c_str());
        QVERIFY2(b.arrays.at(path) == array, path.c_str());
    }
}

/// A trained fp32 experiment, mid-epoch, with events on its timeline.
ExperimentState trained_state() {
    const ExperimentConfig c = small_config("fp32");
    Experiment e(c, data_for(c));
    e.train_epoch();
    e.set_parameter("training.optimizer.learning_rate", 0.05);
    e.train_epoch();
    e.log_event("note: \"quoted\" text, unicode \u00b5S");
    e.train(17);
    return e.state();
}

/// Loads `path` expecting an InputError whose message names the file and contains `needle`.
void expect_rejected(const std::string& path, const QString& needle) {
    try {
        load_session(path);
        QFAIL(qPrintable("loaded a bad file; expected: " + needle));
    } catch (const InputError& e) {
        const QString msg = QString::fromUtf8(e.what());
        QVERIFY2(msg.startsWith(QString::fromStdString(path)), qPrintable(msg));
        QVERIFY2(msg.contains(needle), qPrintable(msg));
        QVERIFY2(!msg.contains('\n'), qPrintable(msg));
    }
}

/// Opens a saved file for surgery with the HDF5 API.
struct Edit {
    explicit Edit(const std::string& path)
        : file(h5::checked(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose, path)) {}
    void remove(const char* link) { h5::check(H5Ldelete(file.get(), link, H5P_DEFAULT), link); }
    void set_root_attribute(const char* name, const std::string& value) {
        h5::check(H5Adelete(file.get(), name), name);
        h5::write_attribute(file.get(), name, value);
    }
    h5::Id file;
};

std::vector<std::string> temp_files(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().find(".tmp-") != std::string::npos)
            out.push_back(e.path().string());
    return out;
}

/// The first ```python block of a Markdown file, or "" when there is none.
std::string python_block(const std::string& markdown) {
    const std::string open = "```python\n";
    const auto begin = markdown.find(open);
    if (begin == std::string::npos) return {};
    const auto end = markdown.find("\n```", begin + open.size());
    if (end == std::string::npos) return {};
    return markdown.substr(begin + open.size(), end + 1 - begin - open.size());
}

/// A python3 that can import h5py (the one on PATH first, then Debian's), or "" if none can.
QString python_with_h5py() {
    for (const QString& python : {QStringLiteral("python3"), QStringLiteral("/usr/bin/python3")}) {
        QProcess p;
        p.start(python, {"-c", "import h5py"});
        if (p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0)
            return python;
    }
    return {};
}

} // namespace

class TestSession : public QObject {
    Q_OBJECT
  private:
    QTemporaryDir tmp_;
    std::string path(const char* name) const { return (tmp_.path() + "/" + name).toStdString(); }

  private Q_SLOTS:
    void roundTripIsExact() {
        const ExperimentState st = trained_state();
        QVERIFY(st.position > 0);
        QVERIFY(!st.events.empty());
        const std::string p = path("round.h5");
        SessionInfo info;
        info.dataset = "synthetic 120/60";
        save_session(p, st, info);
        SessionInfo back;
        const ExperimentState loaded = load_session(p, &back);
        compare_state(st, loaded);
        QCOMPARE(back.app_version, std::string(CROSSBARLAB_VERSION));
        QCOMPARE(back.dataset, info.dataset);
        QCOMPARE(back.created.size(), std::size_t(20)); // 2026-11-22T08:00:44Z
        QVERIFY(temp_files(tmp_.path().toStdString()).empty());
    }

    void comparisonRunsRoundTrip() {
        // Three runs beside the main one (issue 18): each comes back whole, resumable, in order.
        const ExperimentState main = trained_state();
        SessionInfo info;
        for (const char* preset : {"mca-pcm", "direct-pcm", "fp64"}) {
            const ExperimentConfig c = small_config(preset);
            Experiment e(c, data_for(c));
            e.train(30 + int(info.comparisons.size()) * 7);
            info.comparisons.push_back({preset, preset == std::string("fp64") ? 0 : -1, e.state()});
        }
        const std::string file = path("with-comparisons.h5");
        save_session(file, main, info);
        SessionInfo back;
        compare_state(main, load_session(file, &back));
        QCOMPARE(back.comparisons.size(), std::size_t(3));
        for (std::size_t i = 0; i < 3; ++i) {
            QCOMPARE(back.comparisons[i].label, info.comparisons[i].label);
            QCOMPARE(back.comparisons[i].group, info.comparisons[i].group);
            compare_state(info.comparisons[i].state, back.comparisons[i].state);
        }
        // A restored comparison run trains on exactly as the original does.
        const ExperimentConfig c = small_config("mca-pcm");
        Experiment original(info.comparisons[0].state, data_for(c));
        Experiment restored(back.comparisons[0].state, data_for(c));
        original.train(25);
        restored.train(25);
        compare_state(original.state(), restored.state());

        // A session without comparisons reads back without any.
        save_session(file, main, {});
        QVERIFY(load_session(file, &back).step == main.step && back.comparisons.empty());

        // Refused: more runs than the list holds, a damaged run, a run that holds runs.
        info.comparisons.resize(max_comparison_runs + 1, info.comparisons[0]);
        QVERIFY_THROWS_EXCEPTION(InputError, save_session(file, main, info));
        info.comparisons.resize(1);
        ExperimentState bad = info.comparisons[0].state;
        bad.simulated_time_s = -1;
        info.comparisons[0].state = bad;
        save_session(file, main, info);
        expect_rejected(file, "/comparisons/run_0: ");
    }

    void roundTripOfEveryShapeAndType() {
        // Generic over whatever arrays layers add: all element types, scalars, empty arrays,
        // deep paths, chunked (large) arrays, and a config far beyond HDF5's 64 KiB header.
        ExperimentState st = trained_state();
        ExperimentConfig c = st.config.get<ExperimentConfig>();
        c.description = std::string(200000, 'x');
        st.config = c;
        put_array(st.arrays, "extra/u8", std::vector<std::uint8_t>{0, 1, 255}, {3}, "code");
        put_array(st.arrays, "extra/i32", std::vector<std::int32_t>{-7}, {}, "");
        put_array(st.arrays, "extra/u32/deep/x", std::vector<std::uint32_t>{}, {0, 5});
        put_array(st.arrays, "extra/u64", std::vector<std::uint64_t>{1ull << 63}, {1, 1, 1});
        std::vector<double> big(300000);
        for (std::size_t i = 0; i < big.size(); ++i)
            big[i] = std::sin(double(i)) * 1e-300;
        put_array(st.arrays, "extra/big", big, {600, 500}, "uS");
        const std::string p = path("shapes.h5");
        save_session(p, st, {});
        compare_state(st, load_session(p));
    }

    void badStatePathIsRejectedOnSave() {
        ExperimentState st = trained_state();
        put_array(st.arrays, "layer_0//w", std::vector<float>{1}, {1});
        QVERIFY_THROWS_EXCEPTION(InputError, save_session(path("badpath.h5"), st, {}));
        st.arrays.erase("layer_0//w");
        put_array(st.arrays, "x", std::vector<float>{1, 2}, {3});
        QVERIFY_THROWS_EXCEPTION(InputError, save_session(path("badshape.h5"), st, {}));
        QVERIFY(!fs::exists(path("badpath.h5")));
        QVERIFY(!fs::exists(path("badshape.h5")));
    }

    void resumeIsBitIdentical_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<int>("pairs");
        QTest::addColumn<bool>("grid");
        QTest::newRow("fp32") << "fp32" << 1 << false;
        QTest::newRow("mca-pcm") << "mca-pcm" << 1 << false;
        // A multi-memristive synapse: three tiles per layer and the arbiter's position.
        QTest::newRow("mca-pcm, 3 pairs per weight") << "mca-pcm" << 3 << false;
        QTest::newRow("direct-pcm") << "direct-pcm" << 1 << false;
        QTest::newRow("mca-pcm-single") << "mca-pcm-single" << 1 << false;
        // Mini-batches of 50: the save falls inside a batch (pending gradient); RRAM devices
        // have their own G_max, which restoring must accept.
        QTest::newRow("time-rram") << "time-rram" << 1 << false;
        // Matrices split over 16 x 100 arrays: every array's state in its own datasets.
        QTest::newRow("mca-pcm on 16x100 arrays") << "mca-pcm" << 1 << true;
        QTest::newRow("mca-pcm, 3 pairs on 16x100 arrays") << "mca-pcm" << 3 << true;
        QTest::newRow("time-rram on 16x100 arrays") << "time-rram" << 1 << true;
    }
    void resumeIsBitIdentical() {
        QFETCH(QString, preset);
        QFETCH(int, pairs);
        QFETCH(bool, grid);
        ExperimentConfig c = small_config(preset.toStdString());
        if (pairs > 1) c.tile.pairs_per_weight = pairs;
        if (grid) {
            c.tile.array_rows = 16;
            c.tile.array_cols = 100;
        }
        const auto data = data_for(c);
        Experiment straight(c, data);
        for (int i = 0; i < c.training.epochs; ++i)
            straight.train_epoch();

        Experiment first(c, data);
        first.train_epoch();
        first.train(37); // stop mid-epoch
        const std::string p = path("resume.h5");
        save_session(p, first.state(), {});
        Experiment resumed(load_session(p), data);
        if (pairs > 1) {
            const StateArrays& a = first.state().arrays;
            QVERIFY(a.count("layer_0/pair_" + std::to_string(pairs - 1) + "/" +
                            (grid ? "array_0_0/" : "") + "g_plus"));
            QVERIFY(a.count("layer_1/arbiter"));
        }
        if (grid) {
            // Layer 0 is 24 x 785: 2 row blocks x 8 column blocks; layer 1 (10 x 25) one array.
            const StateArrays& a = first.state().arrays;
            const std::string pair = pairs > 1 ? "pair_1/" : "";
            QVERIFY(a.count("layer_0/" + pair + "array_1_7/g_plus"));
            QVERIFY(!a.count("layer_0/" + pair + "g_plus"));
            QVERIFY(a.count("layer_1/" + pair + "g_plus"));
            QVERIFY(first.history().front().counts[0][Stage::forward].partial_sum_adds > 0);
        }
        while (!resumed.finished())
            resumed.train_epoch();
        // The file adds nothing and loses nothing: resuming from it equals resuming from the
        // state in memory, for every preset.
        Experiment in_memory(first.state(), data);
        while (!in_memory.finished())
            in_memory.train_epoch();
        compare_history(in_memory.history(), resumed.history(), false);
        QVERIFY(in_memory.state().arrays == resumed.state().arrays);

        // And the resumed run equals the uninterrupted one.
        const auto same = [](const std::vector<EpochMetrics>& x,
                             const std::vector<EpochMetrics>& y) {
            if (x.size() != y.size()) return false;
            for (std::size_t e = 0; e < x.size(); ++e)
                if (x[e].train_loss != y[e].train_loss || x[e].test_loss != y[e].test_loss ||
                    x[e].train_accuracy != y[e].train_accuracy ||
                    x[e].test_accuracy != y[e].test_accuracy || x[e].counts != y[e].counts ||
                    x[e].device_updates != y[e].device_updates ||
                    x[e].fp_equivalent_updates != y[e].fp_equivalent_updates ||
                    x[e].refreshes != y[e].refreshes ||
                    x[e].simulated_time_s != y[e].simulated_time_s)
                    return false;
            return true;
        };
        QVERIFY(same(straight.history(), resumed.history()) &&
                straight.state().arrays == resumed.state().arrays);
    }

    void schema1FileIsUpgradedOnLoad() {
        // A schema 1 file kept each tile's drift-compensation reference (weight units) as entry
        // 1 of a 5-entry tile_times; built here from a current file by the inverse surgery, with
        // a reference that no run leaves in a session, so the upgrade must carry it over.
        const ExperimentConfig c = small_config("mca-pcm");
        Experiment e(c, data_for(c));
        e.train_epoch();
        ExperimentState expected = e.state();
        const std::string p = path("schema1.h5");
        save_session(p, expected, {});
        const double ref = 123.25;
        int tiles = 0;
        {
            Edit edit(p);
            for (auto& [name, a] : expected.arrays) {
                if (!name.ends_with("tile_times")) continue;
                const std::string prefix = name.substr(0, name.size() - 10);
                const auto& t = std::get<std::vector<double>>(a.data);
                const std::vector<double> v1{t[0], ref, t[1], t[2], t[3]};
                edit.remove(("/state/" + prefix + "tile_times").c_str());
                edit.remove(("/state/" + prefix + "drift_reference").c_str());
                h5::Id d = h5::write_dataset(edit.file.get(), "/state/" + prefix + "tile_times",
                                             v1.data(), {v1.size()});
                h5::write_attribute(d.get(), "unit", std::string("s"));
                expected.arrays.at(prefix + "drift_reference").data = std::vector<double>{ref};
                ++tiles;
            }
            h5::check(H5Adelete(edit.file.get(), "schema_version"), "delete");
            h5::write_attribute(edit.file.get(), "schema_version", std::int64_t(1));
        }
        QCOMPARE(tiles, 2);
        const ExperimentState loaded = load_session(p);
        compare_state(expected, loaded);
        QVERIFY(expected.arrays == loaded.arrays);
    }

    void schema2FileIsUpgradedOnLoad() {
        // Schema 2 counted 14 kinds of operations (no partial_sum_adds): a current file cut back
        // to them, in the history and in each layer's epoch in progress, loads with that count 0.
        const ExperimentConfig c = small_config("mca-pcm");
        Experiment e(c, data_for(c));
        e.train_epoch();
        e.train(7);
        const ExperimentState expected = e.state();
        const std::string p = path("schema2.h5");
        save_session(p, expected, {});
        const std::size_t old_fields = 14;
        const auto cut = [&](const std::vector<std::uint64_t>& v) {
            std::vector<std::uint64_t> out;
            const std::size_t fields = op_count_values(OpCounts{}).size();
            for (std::size_t i = 0; i < v.size(); i += fields)
                out.insert(out.end(), v.begin() + std::ptrdiff_t(i),
                           v.begin() + std::ptrdiff_t(i + old_fields));
            return out;
        };
        {
            Edit edit(p);
            std::vector<std::uint64_t> history;
            for (const EpochMetrics& m : expected.history)
                for (const StageCounts& layer : m.counts)
                    for (const OpCounts& stage : layer.stage)
                        for (const std::uint64_t v : op_count_values(stage))
                            history.push_back(v);
            const std::vector<std::uint64_t> old = cut(history);
            edit.remove("/history/op_counts");
            h5::Id d =
                h5::write_dataset(edit.file.get(), "/history/op_counts", old.data(),
                                  {expected.history.size(), expected.history[0].counts.size(),
                                   std::size_t(stage_count), old_fields});
            h5::write_attribute(d.get(), "unit", std::string("count"));
            h5::write_attribute(d.get(), "stages",
                                std::vector<std::string>(stage_names.begin(), stage_names.end()));
            h5::write_attribute(d.get(), "fields",
                                std::vector<std::string>{
                                    "mvms", "device_reads", "dac_conversions", "adc_conversions",
                                    "adc_bit_conversions", "digital_macs", "activations",
                                    "chi_reads", "chi_writes", "set_pulses", "reset_pulses",
                                    "verify_reads", "refreshed_pairs", "shift_adds"});
            for (const char* layer : {"layer_0/", "layer_1/"}) {
                const std::string name = std::string(layer) + "op_counts_epoch";
                const auto& now =
                    std::get<std::vector<std::uint64_t>>(expected.arrays.at(name).data);
                QVERIFY(std::any_of(now.begin(), now.end(), [](auto v) { return v > 0; }));
                const std::vector<std::uint64_t> v = cut(now);
                edit.remove(("/state/" + name).c_str());
                h5::Id s = h5::write_dataset(edit.file.get(), "/state/" + name, v.data(),
                                             {std::size_t(stage_count), old_fields});
                h5::write_attribute(s.get(), "unit", std::string(""));
            }
            h5::check(H5Adelete(edit.file.get(), "schema_version"), "delete");
            h5::write_attribute(edit.file.get(), "schema_version", std::int64_t(2));
        }
        compare_state(expected, load_session(p));
    }

    void failedSaveLeavesPreviousFile() {
        const ExperimentState good = trained_state();
        const std::string p = path("atomic.h5");
        save_session(p, good, {});
        ExperimentState other = good;
        other.step += 1;

        // A full disk: the file size limit makes write() fail with EFBIG midway.
        rlimit old{};
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &old), 0);
        const auto previous = std::signal(SIGXFSZ, SIG_IGN);
        rlimit small = old;
        small.rlim_cur = 4096;
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
        QString message;
        try {
            save_session(p, other, {});
        } catch (const InputError& e) {
            message = e.what();
        }
        setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, previous);
        QVERIFY2(message.contains(QString::fromStdString(p)), qPrintable(message));
        compare_state(good, load_session(p));
        QVERIFY(temp_files(tmp_.path().toStdString()).empty());

        // The process still ends cleanly after a failed save: when HDF5 wrote the file itself,
        // a write error left a broken file object behind that crashed HDF5's clean-up at exit.
        const pid_t child = fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            std::signal(SIGXFSZ, SIG_IGN);
            setrlimit(RLIMIT_FSIZE, &small);
            bool refused = false;
            try {
                save_session(p, other, {});
            } catch (const InputError&) {
                refused = true;
            }
            std::exit(refused ? 0 : 3); // runs the libraries' exit handlers
        }
        int status = 0;
        QCOMPARE(waitpid(child, &status, 0), child);
        QVERIFY2(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                 qPrintable(QString("child status %1").arg(status)));
        compare_state(good, load_session(p));

        // A folder that does not exist, and a path that is a folder.
        const std::string missing = path("no/such/folder/x.h5");
        QVERIFY_THROWS_EXCEPTION(InputError, save_session(missing, good, {}));
        QVERIFY_THROWS_EXCEPTION(InputError, save_session(tmp_.path().toStdString(), good, {}));
    }

    void killDuringSaveLeavesALoadableFile() {
        // A child saves the same big session over and over; the parent watches the folder and
        // sends SIGKILL while a save is under way: as soon as its temporary file appears (the
        // session is built in memory first, so bytes are about to be written), or once the
        // temporary holds at least half of the file (written or being flushed to disk). The
        // previous file must load unchanged, and the kill must really have hit a save (the
        // temporary it saw is left behind, not renamed).
        ExperimentState st = trained_state();
        std::vector<float> big(2000000, 0.5f); // ~8 MB: each save takes tens of milliseconds
        put_array(st.arrays, "extra/big", big, {2000, 1000}, "uS");
        const std::string dir = path("kill");
        fs::create_directories(dir);
        const std::string p = dir + "/killed.h5";
        save_session(p, st, {});
        const auto full_size = fs::file_size(p);
        int hit_at_start = 0, hit_half_written = 0;
        for (int round = 0; round < 8; ++round) {
            for (const auto& t : temp_files(dir))
                fs::remove(t); // what earlier kills left behind
            const bool wait_for_half = round % 2 == 1;
            const pid_t child = fork();
            QVERIFY(child >= 0);
            if (child == 0) {
                try {
                    // Each save differs (an extra array the validator ignores), and each is a
                    // consistent session: a save that completes before the kill still loads.
                    ExperimentState mine = st;
                    for (std::uint64_t i = 1;; ++i) {
                        put_array(mine.arrays, "extra/save", std::vector<float>{float(i)}, {1}, "");
                        save_session(p, mine, {});
                    }
                } catch (...) {
                }
                _exit(1);
            }
            std::string caught;
            std::uintmax_t caught_size = 0;
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            while (caught.empty() && std::chrono::steady_clock::now() < deadline) {
                for (const auto& t : temp_files(dir)) {
                    std::error_code ec;
                    const auto size = fs::file_size(t, ec);
                    if (!ec && (!wait_for_half || 2 * size >= full_size)) {
                        caught = t;
                        caught_size = size;
                        break;
                    }
                }
            }
            kill(child, SIGKILL);
            int status = 0;
            QCOMPARE(waitpid(child, &status, 0), child);
            QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                     "the saving child ended before it was killed");
            QVERIFY2(!caught.empty(), "no save was seen under way within 60 s");
            if (fs::exists(caught)) // else the save completed in between: no hit this round
                ++(wait_for_half ? hit_half_written : hit_at_start);
            qInfo().noquote() << QString(
                                     "round %1: killed with the temporary at %2 of %3 bytes (%4)")
                                     .arg(round)
                                     .arg(qulonglong(caught_size))
                                     .arg(qulonglong(full_size))
                                     .arg(fs::exists(caught) ? "save interrupted"
                                                             : "that save had completed");

            const ExperimentState back = load_session(p);
            QCOMPARE(back.arrays.at("extra/big"), st.arrays.at("extra/big"));
            QCOMPARE(back.step, st.step);
        }
        QVERIFY2(hit_at_start > 0 && hit_half_written > 0,
                 qPrintable(QString("interrupted saves: %1 at the start, %2 half written")
                                .arg(hit_at_start)
                                .arg(hit_half_written)));
        // The next save clears what the killed writers left behind.
        save_session(p, st, {});
        QVERIFY(temp_files(dir).empty());
    }

    void saveRemovesTemporariesOfDeadWritersOnly() {
        // A writer killed mid-save leaves .NAME.tmp-PID-...; the next save of NAME removes it
        // once PID is gone, but never the temporary of a live writer (it may be mid-save).
        const std::string dir = path("stale");
        fs::create_directories(dir);
        const std::string p = dir + "/run.h5";
        const pid_t dead = fork();
        QVERIFY(dead >= 0);
        if (dead == 0) _exit(0);
        QCOMPARE(waitpid(dead, nullptr, 0), dead);
        const std::string stale = dir + "/.run.h5.tmp-" + std::to_string(dead) + "-0-1";
        const std::string live = dir + "/.run.h5.tmp-" + std::to_string(getpid()) + "-0-2";
        const std::string other = dir + "/.other.h5.tmp-" + std::to_string(dead) + "-0-3";
        for (const auto& f : {stale, live, other})
            std::ofstream(f) << "partial";
        save_session(p, trained_state(), {});
        QVERIFY(!fs::exists(stale));
        QVERIFY(fs::exists(live));
        QVERIFY(fs::exists(other));
    }

    void unwritableTargetLeavesPreviousFile() {
        const ExperimentState good = trained_state();
        const std::string dir = path("readonly");
        fs::create_directories(dir);
        const std::string p = dir + "/kept.h5";
        save_session(p, good, {});
        const std::string before = read_bytes(p);
        ExperimentState other = good;
        other.step += 1;

        // The folder is read-only. Root ignores permissions, so then the save runs in a child
        // that has dropped to an unprivileged user; the message comes back through a pipe.
        fs::permissions(tmp_.path().toStdString(), fs::perms(0755));
        fs::permissions(dir, fs::perms(0555));
        QString message;
        if (geteuid() != 0) {
            try {
                save_session(p, other, {});
            } catch (const InputError& e) {
                message = e.what();
            }
        } else {
            int fds[2];
            QCOMPARE(pipe(fds), 0);
            const pid_t child = fork();
            QVERIFY(child >= 0);
            if (child == 0) {
                close(fds[0]);
                std::string text = "the save succeeded";
                if (setgid(65534) != 0 || setuid(65534) != 0) {
                    text = "cannot drop privileges";
                } else {
                    try {
                        save_session(p, other, {});
                    } catch (const InputError& e) {
                        text = e.what();
                    }
                }
                if (write(fds[1], text.data(), text.size()) < 0) _exit(2);
                _exit(0);
            }
            close(fds[1]);
            char buf[4096];
            ssize_t n = 0;
            std::string text;
            while ((n = read(fds[0], buf, sizeof buf)) > 0)
                text.append(buf, std::size_t(n));
            close(fds[0]);
            int status = 0;
            waitpid(child, &status, 0);
            message = QString::fromStdString(text);
        }
        fs::permissions(dir, fs::perms(0755));
        QVERIFY2(message.contains(QString::fromStdString(p)) &&
                     message.contains("Permission denied"),
                 qPrintable(message));
        QVERIFY(read_bytes(p) == before);
        QVERIFY(temp_files(dir).empty());
        compare_state(good, load_session(p));
    }

    void specialTargets() {
        const ExperimentState st = trained_state();
        // A pipe (or a device, e.g. /dev/null for root) is never replaced by a file.
        const std::string fifo = path("pipe.h5");
        QCOMPARE(mkfifo(fifo.c_str(), 0600), 0);
        try {
            save_session(fifo, st, {});
            QFAIL("saved over a pipe");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains("not a regular file"), e.what());
        }
        QVERIFY(fs::is_fifo(fifo));
        // A symbolic link stays a link; the file it names gets the session.
        const std::string real = path("real.h5"), link = path("link.h5");
        save_session(real, trained_state(), {});
        fs::create_symlink(real, link);
        ExperimentState other = st;
        other.loss_sum += 5; // still a valid state, told apart from st
        save_session(link, other, {});
        QVERIFY(fs::is_symlink(link));
        QCOMPARE(load_session(real).loss_sum, other.loss_sum);
        // A link to nowhere is refused rather than replaced by a file.
        const std::string dangling = path("dangling.h5");
        fs::create_symlink(path("nowhere/x.h5"), dangling);
        QVERIFY_THROWS_EXCEPTION(InputError, save_session(dangling, st, {}));
        QVERIFY(fs::is_symlink(dangling));
    }

    void pythonSnippetReadsTheHistory() {
        // The h5py example of docs/session-format.md, run as printed there on a session that
        // the CLI saved: every value it prints equals the session's history and the CLI's own
        // summary, bit for bit.
        const QString python = python_with_h5py();
        if (python.isEmpty()) QSKIP("python3-h5py is not installed (scripts/setup.sh installs it)");
        const std::string snippet = python_block(read_bytes(CROSSBARLAB_SESSION_DOC));
        QVERIFY2(!snippet.empty(), "no ```python block in " CROSSBARLAB_SESSION_DOC);
        const QString dir = tmp_.path() + "/python";
        QVERIFY(QDir().mkpath(dir));
        write_bytes((dir + "/session_accuracy.py").toStdString(), snippet);

        QProcess cli;
        cli.setWorkingDirectory(dir);
        cli.start(CROSSBARLAB_CLI,
                  {"train", "--preset", "mca-pcm", "--dataset", "synthetic", "--train-limit", "400",
                   "--test-limit", "300", "--epochs", "3", "--json", "--out", dir + "/session.h5"});
        QVERIFY(cli.waitForFinished(300000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        const auto summary = nlohmann::json::parse(cli.readAllStandardOutput().toStdString());
        const ExperimentState st = load_session((dir + "/session.h5").toStdString());
        QCOMPARE(st.history.size(), std::size_t(3));

        QProcess py;
        py.setWorkingDirectory(dir);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("MPLBACKEND", "Agg");
        py.setProcessEnvironment(env);
        py.start(python, {"session_accuracy.py", "session.h5"});
        QVERIFY(py.waitForFinished(120000));
        const QString out = QString::fromUtf8(py.readAllStandardOutput());
        const QString err = QString::fromUtf8(py.readAllStandardError());
        QVERIFY2(py.exitStatus() == QProcess::NormalExit && py.exitCode() == 0, qPrintable(err));
        qInfo().noquote() << out.trimmed();

        QStringList rows = out.split('\n', Qt::SkipEmptyParts);
        QVERIFY(rows.size() >= 2);
        QCOMPARE(rows.takeFirst(), QString("# mca-pcm: 3 epochs"));
        QCOMPARE(rows.takeFirst(), QString("epoch train_accuracy test_accuracy"));
        QCOMPARE(rows.size(), int(st.history.size()));
        for (int i = 0; i < rows.size(); ++i) {
            const QStringList cells = rows[i].split(' ');
            QCOMPARE(cells.size(), 3);
            const EpochMetrics& m = st.history[std::size_t(i)];
            // strtod reads Python's repr back to the same double.
            const auto number = [](const QString& text) {
                return std::strtod(text.toLatin1().constData(), nullptr);
            };
            QCOMPARE(cells[0].toInt(), m.epoch);
            QCOMPARE(number(cells[1]), m.train_accuracy);
            QCOMPARE(number(cells[2]), m.test_accuracy);
            QCOMPARE(number(cells[1]), summary["train_accuracy"][i].get<double>());
            QCOMPARE(number(cells[2]), summary["test_accuracy"][i].get<double>());
        }
        // With matplotlib the snippet also draws the plot; without it, it says so.
        QVERIFY2(QFileInfo::exists(dir + "/accuracy.png") ||
                     err.contains("matplotlib is not installed"),
                 qPrintable(err));
    }

    void badFilesAreRejected() {
        const std::string good = path("good.h5");
        save_session(good, trained_state(), {});
        const std::string bytes = read_bytes(good);
        const std::string bad = path("bad.h5");

        expect_rejected(path("does-not-exist.h5"), "No such file");
        write_bytes(bad, "");
        expect_rejected(bad, "not an HDF5 file");
        write_bytes(bad, "{\"config\": 1}\nthis is a JSON file, not HDF5\n");
        expect_rejected(bad, "not an HDF5 file");
        expect_rejected(tmp_.path().toStdString(), "not a regular file");

        for (const std::size_t length :
             {std::size_t(8), std::size_t(100), std::size_t(600), std::size_t(4096),
              bytes.size() / 3, bytes.size() / 2, bytes.size() - 100, bytes.size() - 1}) {
            write_bytes(bad, bytes.substr(0, length));
            QVERIFY_THROWS_EXCEPTION(InputError, load_session(bad));
        }
    }

    void readsThatCrashOrHangAreContained() {
        // The guard load_session() puts around HDF5 (child_process.hpp): a crash or a hang in
        // the child is reported, never shared; an exception there is the parent's to raise again.
        using namespace std::chrono_literals;
        QCOMPARE(int(run_in_child([] {}, 10s).how), int(ChildEnd::How::normally));
        QCOMPARE(int(run_in_child([] { throw InputError("bad file"); }, 10s).how),
                 int(ChildEnd::How::normally));
        const ChildEnd crash = run_in_child([] { std::abort(); }, 10s);
        QCOMPARE(int(crash.how), int(ChildEnd::How::crashed));
        QCOMPARE(crash.signal, SIGABRT);
        const auto start = std::chrono::steady_clock::now();
        QCOMPARE(int(run_in_child([] { ::pause(); }, 200ms).how), int(ChildEnd::How::timed_out));
        QVERIFY(std::chrono::steady_clock::now() - start < 10s);
    }

    void corruptBytesAreDetected() {
        // Checksums on all metadata and data: a changed byte is rejected, or (in unused space)
        // changes nothing; it never loads as a silently different experiment.
        const ExperimentState st = trained_state();
        const std::string good = path("good2.h5");
        save_session(good, st, {});
        const std::string bytes = read_bytes(good);
        const std::string bad = path("corrupt.h5");
        int rejected = 0;
        const std::size_t stride = std::max<std::size_t>(1, bytes.size() / 300);
        for (std::size_t at = 0; at < bytes.size(); at += stride) {
            std::string b = bytes;
            b[at] = char(b[at] ^ 0x5a);
            write_bytes(bad, b);
            try {
                compare_state(st, load_session(bad));
            } catch (const InputError& e) {
                QVERIFY(QString(e.what()).startsWith(QString::fromStdString(bad)));
                ++rejected;
            }
        }
        QVERIFY(rejected > 0);
    }

    void structuralProblemsAreNamed() {
        const ExperimentState st = trained_state();
        const std::string p = path("edit.h5");
        const auto fresh = [&] { save_session(p, st, {}); };

        fresh();
        Edit(p).set_root_attribute("format", "something else");
        expect_rejected(p, "not a CrossbarLab session");

        fresh();
        {
            Edit e(p);
            h5::check(H5Adelete(e.file.get(), "schema_version"), "delete");
            h5::write_attribute(e.file.get(), "schema_version", std::int64_t(7));
        }
        expect_rejected(p, "written by a newer CrossbarLab (schema 7 > " +
                               QString::number(session_schema_version) + ")");

        fresh();
        Edit(p).remove("/history/test_accuracy");
        expect_rejected(p, "/history/test_accuracy is missing");

        fresh();
        Edit(p).remove("/events");
        expect_rejected(p, "/events is missing");

        fresh();
        {
            Edit e(p);
            e.remove("/history/epoch");
            const std::vector<double> v(st.history.size(), 1.0);
            h5::write_dataset(e.file.get(), "/history/epoch", v.data(), {v.size()});
        }
        expect_rejected(p, "/history/epoch is float64, expected int32");

        fresh();
        {
            Edit e(p);
            e.remove("/history/train_loss");
            const std::vector<double> v(st.history.size() + 1, 1.0);
            h5::write_dataset(e.file.get(), "/history/train_loss", v.data(), {v.size()});
        }
        expect_rejected(p, "/history/train_loss has shape (3), expected (2)");

        fresh();
        Edit(p).set_root_attribute("config", "{\"network\": ");
        expect_rejected(p, "config:");

        fresh();
        Edit(p).set_root_attribute("config", "{\"training\": {\"epochs\": -3}}");
        expect_rejected(p, "training.epochs");

        // An array the config's network needs is refused on load (tst_session_content has the
        // other content checks).
        fresh();
        Edit(p).remove("/state/layer_0/w");
        expect_rejected(p, "/state/layer_0/w: is missing");
    }

    void csvExport() {
        const ExperimentState st = trained_state();
        const std::string dir = path("csv/out");
        const auto files = export_csv(st, dir);
        QVERIFY(files.size() >= 3); // metrics + one weight matrix per layer

        std::ifstream metrics(dir + "/metrics.csv");
        std::string header, line;
        std::getline(metrics, header);
        QVERIFY(header.starts_with("epoch,images,train_accuracy [fraction],test_accuracy "
                                   "[fraction],train_loss [nats]"));
        for (const EpochMetrics& m : st.history) {
            QVERIFY(std::getline(metrics, line));
            const QStringList cells = QString::fromStdString(line).split(',');
            QCOMPARE(cells[0].toInt(), m.epoch);
            QCOMPARE(cells[3].toDouble(), m.test_accuracy); // shortest form reads back exactly
        }
        QVERIFY(!std::getline(metrics, line));

        const StateArray& w = st.arrays.at("layer_0/w");
        std::ifstream matrix(dir + "/layer_0_w_weight.csv");
        const auto& values = std::get<std::vector<float>>(w.data);
        std::size_t rows = 0;
        while (std::getline(matrix, line)) {
            const QStringList cells = QString::fromStdString(line).split(',');
            QCOMPARE(std::size_t(cells.size()), w.shape[1]);
            for (std::size_t c = 0; c < w.shape[1]; ++c)
                QCOMPARE(std::strtof(cells[int(c)].toLatin1().constData(), nullptr),
                         values[rows * w.shape[1] + c]);
            ++rows;
        }
        QCOMPARE(rows, w.shape[0]);
        QVERIFY(temp_files(dir).empty());
        QVERIFY_THROWS_EXCEPTION(InputError, export_csv(st, path("round.h5") + "/sub"));
        QCOMPARE(QDir(QString::fromStdString(dir))
                     .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden)
                     .size(),
                 int(files.size())); // nothing but the export itself (no staging folder)

        // An array that cannot be written stops the export before any file is in place.
        ExperimentState bad = st;
        bad.arrays["layer_1/w"].shape = {3, 3};
        const std::string empty_dir = path("csv/failed");
        QVERIFY_THROWS_EXCEPTION(InputError, export_csv(bad, empty_dir));
        QCOMPARE(QDir(QString::fromStdString(empty_dir))
                     .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden)
                     .size(),
                 0);
    }

    void csvExportOfGanAndRl() {
        const auto lines = [](const std::string& file) {
            std::ifstream in(file);
            std::vector<std::string> out;
            for (std::string line; std::getline(in, line);)
                out.push_back(line);
            return out;
        };
        // A GAN: the per-epoch arrays under gan/history/ (FD first), not its image grids; the
        // matrices of its networks' layers.
        ExperimentState gan;
        gan.config = {{"task", "gan"}};
        put_array(gan.arrays, "gan/history/discriminator_loss", std::vector<double>{0.5, 0.25}, {2},
                  "nats");
        put_array(gan.arrays, "gan/history/frechet_distance", std::vector<double>{300, 150.5}, {2});
        put_array(gan.arrays, "gan/history/device_updates", std::vector<std::uint64_t>{1, 2, 3, 4},
                  {2, 2}, "pulses");
        put_array(gan.arrays, "gan/history/samples", std::vector<float>(2 * 3 * 4), {2, 3, 4});
        put_array(gan.arrays, "gan/generator/layer_0/w", std::vector<float>{1, 2, 3, 4}, {2, 2},
                  "weight");
        const std::string dir = path("csv/gan");
        const auto files = export_csv(gan, dir);
        QCOMPARE(files.size(), std::size_t(2));
        QCOMPARE(lines(dir + "/metrics.csv"),
                 (std::vector<std::string>{
                     "epoch,frechet_distance,device_updates layer_0 [pulses],device_updates "
                     "layer_1 [pulses],discriminator_loss [nats]",
                     "1,300,1,2,0.5", "2,150.5,3,4,0.25"}));
        QCOMPARE(lines(dir + "/gan_generator_layer_0_w_weight.csv"),
                 (std::vector<std::string>{"1,2", "3,4"}));

        // Arrays of different lengths are refused, naming the array, and nothing is written.
        ExperimentState torn = gan;
        torn.arrays["gan/history/discriminator_loss"].shape = {3};
        QVERIFY_THROWS_EXCEPTION(InputError, export_csv(torn, path("csv/torn")));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(path("csv/torn") + "/metrics.csv")));

        // A DQN: one row per episode.
        ExperimentState rl;
        rl.config = {{"task", "rl"}};
        put_array(rl.arrays, "rl/episode_reward", std::vector<double>{12, 200}, {2}, "reward");
        export_csv(rl, path("csv/rl"));
        QCOMPARE(lines(path("csv/rl") + "/metrics.csv"),
                 (std::vector<std::string>{"episode,episode_reward [reward]", "1,12", "2,200"}));
    }

    void autosaveAndRecovery() {
        const std::string dir = path("recovery");
        const ExperimentState st = trained_state();
        {
            AutosaveSlot slot(dir, "/home/me/run.h5");
            slot.save(st, {});
            QVERIFY(fs::exists(slot.autosave_path()));
            QVERIFY(slot.autosave_path().starts_with(dir));
            QVERIFY(find_recoverable(dir).empty()); // alive: not offered
        }
        QVERIFY(fs::is_empty(dir)); // a clean end leaves nothing behind

        // A crash: the child autosaves and dies without cleaning up.
        const pid_t child = fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            auto* slot = new AutosaveSlot(dir);
            slot->set_session_path("/home/me/renamed.h5");
            slot->save(st, {});
            ::kill(::getpid(), SIGKILL);
        }
        int status = 0;
        waitpid(child, &status, 0);
        const auto found = find_recoverable(dir);
        QCOMPARE(found.size(), std::size_t(1));
        QCOMPARE(found[0].session_path, std::string("/home/me/renamed.h5"));
        QCOMPARE(found[0].started.size(), std::size_t(20));
        compare_state(st, load_session(found[0].autosave_path));
        discard_recoverable(found[0]);
        QVERIFY(fs::is_empty(dir));
        QVERIFY(find_recoverable(dir).empty());
    }
};

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"
