// Issue 16 item 5: a deep-RL preset runs in the main window; the Environment view draws the task
// between steps, the reward of every episode with its moving average, and the Q-values of the
// current state, and the run plays the same episodes as the CLI's.
#include "core/experiment/rl_run.hpp"
#include "gui_test_config.hpp"
#include "ui/shell/engine_bridge.hpp"
#include "ui/shell/main_window.hpp"
#include "ui/views/environment_view.hpp"

#include <QDockWidget>
#include <QTest>

using namespace cbl;
using namespace cbl::ui;

namespace {

ExperimentConfig small_dqn() {
    ExperimentConfig c = load_preset("time-rram-dqn");
    c.rl.episodes = 8;
    c.rl.warmup_steps = 100;
    c.rl.hidden = {16, 16};
    return c;
}

} // namespace

class TestEnvironmentView : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase() { isolate_gui_test(); }

    void actionNamesFollowTheTasks() {
        QCOMPARE(action_names("cartpole").size(), 2);
        QCOMPARE(action_names("mountaincar").size(), 3);
        QCOMPARE(action_names("acrobot").size(), 3);
    }

    void deepRlRunInTheWindow() {
        const ExperimentConfig c = small_dqn();
        RlRun reference(c);
        while (!reference.finished())
            reference.run_episode();

        MainWindow w(nullptr, false);
        w.resize(1280, 720);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.loadConfig(c);
        QTRY_VERIFY_WITH_TIMEOUT(w.lastSnapshot() && w.lastSnapshot()->rl, 20000);
        // The task's tab comes in front of the learning curves.
        QWidget* env = w.viewWidget("environment");
        QTRY_VERIFY_WITH_TIMEOUT(env->isVisible(), 5000);
        QVERIFY(w.environment()->statusText().contains("Episode 1 of 8"));

        w.bridge().engine().play();
        QTRY_VERIFY_WITH_TIMEOUT(w.lastSnapshot()->finished, 120000);
        const SnapshotPtr s = w.lastSnapshot();
        // Played in slices of steps between snapshots: still the CLI's episodes.
        QCOMPARE(s->rl->episode_rewards, reference.agent().episode_rewards());
        QTRY_COMPARE_WITH_TIMEOUT(w.environment()->rewardPoints(), 8, 5000);
        QVERIFY(w.environment()->statusText().contains("Q-values of this state: push left"));
        QCOMPARE(s->layers.size(), std::size_t(3));

        // Reset starts the same run again: the reward curve empties.
        w.bridge().engine().reset();
        QTRY_COMPARE_WITH_TIMEOUT(w.environment()->rewardPoints(), 0, 10000);
    }
};

QTEST_MAIN(TestEnvironmentView)
#include "tst_environment_view.moc"
