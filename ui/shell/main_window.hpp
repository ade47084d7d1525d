#pragma once
// The lab's main window: run controls, the conductance heatmaps in the middle and every other
// view as a dock (layout remembered in QSettings), export, comparison runs, presentation mode.
#include "core/experiment/snapshot.hpp"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QPointer>

class QAction;
class QLabel;
class QComboBox;
class QDockWidget;
class QMenu;
class QTimer;

namespace cbl {
struct Lesson;
}

namespace cbl::ui {

class EngineBridge;
class AccuracyChart;
class HeatmapPanel;
class TracesChart;
class DriftView;
class SparsityChart;
class RunList;
class SideBySide;
class EnergyChart;
class DeviceExplorer;
class EnvironmentView;
class GanView;
class ExperimentPanel;
class ParameterPanel;
class ComparisonRuns;
class SnapshotView;
class SessionController;
class NumberStrip;
class LessonPanel;
class SweepView;
class AcceleratorView;

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    /// `restoreLayout` = false ignores the saved layout (screenshots, tests); `threads` = the
    /// engine's TBB threads (0 = all cores but the GUI's).
    explicit MainWindow(QWidget* parent = nullptr, bool restoreLayout = true, int threads = 0);
    ~MainWindow() override;
    EngineBridge& bridge() { return *bridge_; }
    /// Loads a preset (structural: the experiment restarts). False with a message on failure.
    bool loadPreset(const QString& name);
    /// Loads a config (structural: the experiment restarts; one that cannot build changes
    /// nothing but the status bar's error).
    void loadConfig(const ExperimentConfig& config);
    /// Loads a lesson of resources/lessons (its preset with its overrides) and shows it in the
    /// "Try this" panel. False, with a message, when it does not load or the user keeps the run.
    bool startLesson(const QString& name);
    /// Help → Try this…: the list of lessons.
    void chooseLesson();
    /// The list of lessons once per user (QSettings lessons/offered): the lab's first start.
    void offerLessonsOnce();
    /// The newest snapshot drawn so far.
    SnapshotPtr lastSnapshot() const { return last_; }

    /// View names for --view and presentation panels: accuracy, heatmaps, traces, drift,
    /// sparsity, energy, device-explorer, experiment, parameters, runs, side-by-side,
    /// accelerator.
    static QStringList viewNames();
    /// The widget of a named view (nullptr if unknown).
    QWidget* viewWidget(const QString& name) const;
    /// Makes a view visible (raises its dock) so it draws.
    void showView(const QString& name);
    /// Shows one view alone (screenshots of a single view): the heatmaps fill the window, any
    /// other view floats with its widget at `size`.
    void focusView(const QString& name, QSize size = QSize(1400, 900));

    /// The default arrangement of the docks for a window of `size` (at construction, "Reset
    /// layout", screenshots): below 900 px high the physics tabs share the right column with the
    /// learning curves instead of a row under everything.
    void arrangeDocks(QSize size);
    static bool compactLayout(QSize size);

    /// Trains `images` more images, then pauses.
    void stepImages(int images);

    /// Presentation mode: large fonts, only the chosen panels beside the heatmaps (stacked, not
    /// tabbed), full screen unless `fullScreen` is false (screenshots keep the window size).
    void setPresentationMode(bool on, bool fullScreen = true);
    bool presentationMode() const { return presenting_; }

    HeatmapPanel* heatmaps() const { return heatmaps_; }
    AccuracyChart* accuracy() const { return accuracy_; }
    TracesChart* traces() const { return traces_; }
    DriftView* drift() const { return drift_; }
    SparsityChart* sparsity() const { return sparsity_; }
    RunList* runList() const { return runList_; }
    EnergyChart* energy() const { return energy_; }
    DeviceExplorer* deviceExplorer() const { return explorer_; }
    EnvironmentView* environment() const { return environment_; }
    GanView* gan() const { return gan_; }
    AcceleratorView* accelerator() const { return accelerator_; }
    ParameterPanel* parameters() const { return parameters_; }
    ExperimentPanel* experiment() const { return experimentPanel_; }
    SessionController* session() const { return session_; }
    ComparisonRuns* comparisons() const { return comparisons_; }
    /// Presentation mode's big numbers (hidden otherwise).
    NumberStrip* numbers() const { return numbers_; }
    LessonPanel* lessonPanel() const { return lesson_; }

    /// Shows the sweep file at `path` in the sweep window; a file that cannot be shown is refused
    /// with a dialog naming it and what is wrong (false), and the window keeps what it showed.
    /// With `compareWith`, that second sweep of the same grid is drawn beside it
    /// (SweepView::compare), or refused with a dialog.
    bool openSweep(const QString& path, const QString& compareWith = {});
    /// The sweep window, once a sweep was opened (else nullptr).
    SweepView* sweepView() const { return sweep_; }

    /// Compare → Add a run from a preset, without the dialog: the preset trains beside the
    /// main run on its data and for its epochs. False (with a message) when it does not load or
    /// the comparison runs are full (a session keeps at most max_comparison_runs).
    bool addComparisonRun(const QString& preset);

    /// Exports the named view (".png" or ".svg" by suffix). Empty string or the error.
    QString exportView(const QString& name, const QString& path);
    /// Exports every view to `dir` as PNG and SVG plus metrics.csv and events.csv.
    QString exportAll(const QString& dir);

  Q_SIGNALS:
    void snapshotShown(cbl::SnapshotPtr snapshot);

  protected:
    void closeEvent(QCloseEvent* e) override;
    /// Keeps the dock areas' tab titles whole (their tab bars are made as docks are tabified).
    void childEvent(QChildEvent* e) override;
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;

  private:
    struct Panel {
        QString name;
        QString title;
        QDockWidget* dock = nullptr; ///< null for the central heatmaps
        QWidget* widget = nullptr;
        SnapshotView* view = nullptr;
        std::uint64_t shown = 0; ///< snapshot version drawn
        /// While training runs the view redraws at most this often [ms] (0 = every snapshot):
        /// per-epoch charts gain nothing from 20 Hz and a chart repaint costs milliseconds of
        /// the GUI thread. The snapshot that ends a run is always drawn.
        int minIntervalMs = 0;
        QElapsedTimer drawn;
    };
    void buildActions();
    void buildMenus();
    void addPanel(const QString& name, const QString& title, QWidget* w, SnapshotView* v,
                  Qt::DockWidgetArea area, int minIntervalMs);
    void showSnapshot(const SnapshotPtr& s);
    void refreshPanel(Panel& p);
    /// Draws the next panel the last snapshot left due, one per pass of the event loop.
    void drawDuePanel();
    void togglePlay();
    void play();
    void pause();
    void reset();
    /// What a restart does with the live changes made since the run was loaded: a new preset or
    /// lesson replaces them, applied settings keep them (they start from the running config),
    /// Reset undoes them (it rebuilds the config the run was loaded with).
    enum class LiveEdits { replaced, kept, undone };
    /// Asks before discarding training: Save first (then restart), Restart or Cancel; lists the
    /// live changes the restart keeps or undoes. True = go on.
    bool confirmRestart(const QString& what, LiveEdits edits);
    /// The live changes since the run was loaded, one "label = value unit" per field.
    QStringList liveEdits() const;
    /// New, Reset or another experiment: asks whether the comparison runs restart with the
    /// main run or go (issue 18); nothing to ask without them.
    void restartOrRemoveComparisons(const QString& what);
    /// Loads `config` if it builds and the user agrees to restart (`what` names the action).
    void applyConfig(const ExperimentConfig& config, const QString& what);
    void choosePresentationPanels();
    void beginLesson(const Lesson& l);
    /// Width of the left dock column [px] below which its tab titles would be shortened.
    int minLeftColumn() const;
    void addComparisonPreset();
    void addSeeds();
    /// Whether `more` comparison runs fit beside those there; if not, says so and false.
    bool roomForComparisons(int more);
    void exportCurrentDialog(const QString& suffix);
    /// A file that cannot be opened: a dialog naming it and what is wrong.
    void refuseFile(const QString& title, const QString& path, const QString& error);
    Panel* panel(const QString& name);
    const Panel* panel(const QString& name) const;
    QString activePanelName() const;
    void updateTitle();
    /// QSettings group of the layout for the current screen size.
    QString layoutKey() const;

    EngineBridge* bridge_;
    ComparisonRuns* comparisons_;
    SessionController* session_ = nullptr;
    HeatmapPanel* heatmaps_;
    AccuracyChart* accuracy_;
    TracesChart* traces_;
    DriftView* drift_;
    SparsityChart* sparsity_;
    RunList* runList_;
    SideBySide* sideBySide_;
    EnergyChart* energy_;
    DeviceExplorer* explorer_;
    EnvironmentView* environment_;
    GanView* gan_;
    /// The task of the last snapshot's run: a deep-RL run's environment or a GAN's digits have
    /// a tab in front of the curves while one is shown.
    std::string shownTask_ = "supervised";
    AcceleratorView* accelerator_;
    ExperimentPanel* experimentPanel_;
    ParameterPanel* parameters_;
    NumberStrip* numbers_;
    SweepView* sweep_ = nullptr;
    LessonPanel* lesson_;
    QToolBar* numbersBar_ = nullptr;
    QList<Panel> panels_;
    /// Panels the last snapshot asked to redraw and not yet drawn (indices into panels_), and
    /// the zero timer that draws them one at a time.
    QList<int> duePanels_;
    QTimer* panelTimer_;

    QAction *play_, *stepImage_, *stepBatch_, *stepEpoch_, *reset_;
    QAction* presentation_;
    QComboBox* speed_;
    QLabel* counters_;
    QLabel* statusText_;
    QMenu* viewMenu_ = nullptr;
    QToolBar* runBar_ = nullptr;
    SnapshotPtr last_;
    QString lastError_;
    bool presenting_ = false;
    QByteArray normalState_;
    bool useSettings_ = true; ///< false: saved layout and presentation choices are ignored
    QFont normalFont_;
    bool normalMaximized_ = false;
};

} // namespace cbl::ui
