// Deep-RL runs as sessions (issue 16): a DQN run with its Q-network in RRAM, saved between
// episodes (RlRun::state, save_session), loaded and played on, is the run that never stopped; a
// damaged state is refused naming the array.
#include "core/experiment/rl_run.hpp"
#include "core/session/session_file.hpp"

#include <QTemporaryDir>
#include <QtTest>

using namespace cbl;

class TestRlSession : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void runRoundTripsAndContinuesExactly() {
        QTemporaryDir dir;
        const auto path = [&](const char* name) { return dir.filePath(name).toStdString(); };
        ExperimentConfig c = load_preset("time-rram-dqn");
        c.rl.episodes = 24;
        c.rl.warmup_steps = 100;
        c.rl.target_update_steps = 50; // a target refresh falls inside each half
        RlRun whole(c);
        while (!whole.finished())
            whole.run_episode();
        RlRun first(c);
        for (int i = 0; i < 12; ++i)
            first.run_episode();
        const ExperimentState saved = first.state();
        save_session(path("dqn.h5"), saved, {});
        const ExperimentState loaded = load_session(path("dqn.h5"));
        QCOMPARE(loaded.config, saved.config);
        QVERIFY(loaded.arrays == saved.arrays);
        RlRun second(loaded);
        QCOMPARE(second.agent().episode_rewards().size(), std::size_t(12));
        while (!second.finished())
            second.run_episode();
        const rl::DqnAgent &a = whole.agent(), &b = second.agent();
        QCOMPARE(b.episode_rewards(), a.episode_rewards());
        QCOMPARE(b.environment_steps(), a.environment_steps());
        QCOMPARE(b.learning_steps(), a.learning_steps());
        QVERIFY(a.learning_steps() > 100);
        QCOMPARE(second.device_updates(), whole.device_updates());
        for (int k = 0; k < a.network().weight_count(); ++k)
            QVERIFY(b.network().weight_layer(k).weights() == a.network().weight_layer(k).weights());

        // Checked like a supervised state: a replay memory of the wrong size is named.
        ExperimentState bad = saved;
        bad.arrays["rl/replay/reward"].data = std::vector<double>(3);
        bad.arrays["rl/replay/reward"].shape = {3};
        save_session(path("bad.h5"), bad, {});
        try {
            load_session(path("bad.h5"));
            QFAIL("a replay memory of the wrong size loaded");
        } catch (const InputError& e) {
            QVERIFY2(std::string(e.what()).find("rl/replay/reward") != std::string::npos, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestRlSession)
#include "tst_rl_session.moc"
