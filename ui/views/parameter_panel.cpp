#include "ui/views/parameter_panel.hpp"

#include "core/config/schema.hpp"
#include "ui/shell/parameter_info.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <functional>

namespace cbl::ui {

void flatten_json(const nlohmann::json& j, const std::string& prefix, nlohmann::json& out) {
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
        if (it.value().is_object())
            flatten_json(it.value(), path, out);
        else
            out[path] = it.value();
    }
}

namespace {
QString group_of(const QString& path) {
    if (path.startsWith("device.")) return "device";
    if (path.startsWith("tile.peripherals.")) return "peripherals";
    if (path.startsWith("tile.")) return "tile";
    if (path.startsWith("scheme.")) return "scheme";
    if (path.startsWith("training.")) return "training";
    return {};
}

/// A spin box that lets a number outside its range be typed, then refuses it in words: Qt's own
/// drops the keystroke that would leave the range, so 99999 quietly became 9.
template <class SpinBox>
class RangeSpinBox : public SpinBox {
  public:
    /// `refuse` gets the typed text of a number outside the range (after the edit ends, the
    /// box back at its value).
    explicit RangeSpinBox(std::function<void(const QString&)> refuse)
        : refuse_(std::move(refuse)) {}

    QValidator::State validate(QString& text, int& pos) const override {
        const QValidator::State s = SpinBox::validate(text, pos);
        return s == QValidator::Invalid && number(text) ? QValidator::Intermediate : s;
    }
    void fixup(QString& text) const override {
        SpinBox::fixup(text);
        if (!number(text)) return;
        // Reported once the spin box has finished with the edit (it then shows its value again).
        const QString typed = this->stripped(text);
        auto* self = const_cast<RangeSpinBox*>(this);
        QMetaObject::invokeMethod(
            self, [self, typed] { self->refuse_(typed); }, Qt::QueuedConnection);
    }

  private:
    /// A whole number or decimal outside the range (within it the base class takes it).
    bool number(const QString& text) const {
        bool ok = false;
        const double v = this->locale().toDouble(stripped(text), &ok);
        return ok && (v < this->minimum() || v > this->maximum());
    }
    QString stripped(const QString& text) const {
        QString t = text.trimmed();
        if (t.startsWith(this->prefix())) t.remove(0, this->prefix().size());
        if (t.endsWith(this->suffix())) t.chop(this->suffix().size());
        return t.trimmed().remove(this->locale().groupSeparator());
    }
    std::function<void(const QString&)> refuse_;
};
} // namespace

ParameterPanel::ParameterPanel(QWidget* parent)
    : QWidget(parent), controller_(new ParameterController(this)) {
    header_ = new QLabel;
    header_->setWordWrap(true);
    pendingBar_ = new QWidget;
    pendingText_ = new QLabel;
    pendingText_->setWordWrap(true);
    auto* apply = new QPushButton("Apply && reset");
    apply->setToolTip("Restart the experiment with the pending structural changes");
    auto* discard = new QPushButton("Discard");
    auto* pl = new QHBoxLayout(pendingBar_);
    pl->setContentsMargins(4, 4, 4, 4);
    pl->addWidget(pendingText_, 1);
    pl->addWidget(apply);
    pl->addWidget(discard);
    pendingBar_->setStyleSheet("background: #fff3cd; border-radius: 4px;");
    pendingBar_->hide();
    // The fields scroll; the pending bar stays above them, in view whichever field is edited.
    auto* fields = new QWidget;
    groupsLayout_ = new QVBoxLayout;
    auto* fieldsLay = new QVBoxLayout(fields);
    fieldsLay->setContentsMargins(4, 4, 4, 4);
    fieldsLay->addWidget(header_);
    fieldsLay->addLayout(groupsLayout_);
    fieldsLay->addStretch(1);
    scroll_ = new QScrollArea;
    scroll_->setWidget(fields);
    scroll_->setWidgetResizable(true);
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->setSpacing(2);
    lay->addWidget(pendingBar_);
    lay->addWidget(scroll_, 1);

    connect(apply, &QPushButton::clicked, controller_, &ParameterController::applyPending);
    connect(discard, &QPushButton::clicked, this, [this] {
        controller_->discardPending();
        nlohmann::json flat = nlohmann::json::object();
        flatten_json(nlohmann::json(controller_->config()), "", flat);
        for (auto it = rows_.begin(); it != rows_.end(); ++it) {
            setEditorValue(*it, flat[it.key().toStdString()]);
            showVerdict(it.key(), {});
        }
    });
    connect(controller_, &ParameterController::verdict, this, &ParameterPanel::showVerdict);
    connect(controller_, &ParameterController::pendingChanged, this,
            &ParameterPanel::updatePendingBar);
    connect(controller_, &ParameterController::applyStructural, this,
            &ParameterPanel::applyStructural);
    connect(controller_, &ParameterController::deviceEdited, this, &ParameterPanel::deviceEdited);
}

QStringList ParameterPanel::shownPaths(const nlohmann::json& config) const {
    // The fields that matter for this experiment, in schema order (optimizer fields of its
    // optimizer, the device model's own fields, ...).
    const std::string family = controller_->config().tile.device.family();
    QStringList paths;
    for (const FieldSpec& f : parameter_schema())
        if (f.panel && (f.family.empty() || f.family == family) && field_applies(f, config) &&
            !group_of(QString::fromStdString(f.path)).isEmpty())
            paths.append(QString::fromStdString(f.path));
    return paths;
}

void ParameterPanel::showSnapshot(const SnapshotPtr& s) {
    const nlohmann::json cj = s->config;
    if (!layoutPaths_.isEmpty() && cj == nlohmann::json(controller_->config())) return;
    const bool relayout = controller_->setConfig(s->config);
    nlohmann::json flat = nlohmann::json::object();
    flatten_json(cj, "", flat);
    const QStringList paths = shownPaths(cj);
    if (relayout || paths != layoutPaths_)
        rebuild(paths, flat);
    else
        for (const QString& p : paths) {
            if (controller_->pendingPaths().contains(p)) continue;
            Row& r = rows_[p];
            if (r.editor && !r.editor->hasFocus()) setEditorValue(r, flat[p.toStdString()]);
        }
    const ExperimentConfig& c = controller_->config();
    header_->setText(
        QString("<b>%1</b> — scheme <b>%2</b>%3. <span style='color:#1a7f37'>● live</span> "
                "changes apply while training and mark the charts; <span "
                "style='color:#666'>● reset</span> changes restart the experiment.")
            .arg(QString::fromStdString(c.name).toHtmlEscaped())
            .arg(QString::fromStdString(c.scheme.type))
            .arg(c.scheme.type == "fp"
                     ? QString()
                     : ", device family <b>" + QString::fromStdString(c.tile.device.family()) +
                           "</b>"));
    updatePendingBar();
}

void ParameterPanel::rebuild(const QStringList& paths, const nlohmann::json& flat) {
    delete groupsHost_;
    rows_.clear();
    groupsHost_ = new QWidget;
    auto* hostLay = new QVBoxLayout(groupsHost_);
    hostLay->setContentsMargins(0, 0, 0, 0);
    groupsLayout_->addWidget(groupsHost_);
    layoutPaths_ = paths;
    const QString family = QString::fromStdString(controller_->config().tile.device.family());
    const std::pair<QString, QString> order[] = {
        {"training", "Training (digital optimizer)"},
        {"scheme", "Training scheme: how updates reach the devices"},
        {"device", "Device model: " + family.toUpper()},
        {"tile", "Crossbar tile: mapping, initial state, read physics"},
        {"peripherals", "Peripherals: data converters"}};
    for (const auto& [key, title] : order) {
        QFormLayout* form = nullptr;
        for (const QString& path : paths) {
            if (group_of(path) != key) continue;
            if (!form) {
                auto* box = new QGroupBox(title);
                form = new QFormLayout(box);
                form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
                hostLay->addWidget(box);
            }
            const ParameterInfo info = parameter_info(path, family);
            const FieldSpec& f = *info.spec;
            const nlohmann::json v = flat.value(path.toStdString(), f.default_value);
            Row row;
            row.label = info.label;
            auto commit = [this, path](nlohmann::json value) { applyValue(path, value); };
            // A number typed outside the editor's range: the field's error says what is allowed.
            auto refuse = [this, path, label = info.label,
                           allowed = display_unit(f.allowed())](const QString& typed) {
                showVerdict(
                    path,
                    QString("%1 = %2 is out of range; allowed %3").arg(label, typed, allowed));
            };
            // Signals are connected after the editor holds its value: setRange() on a fresh
            // spin box would otherwise "edit" the parameter to the range's edge.
            std::function<void()> connectEditor;
            if (f.kind == FieldKind::boolean) {
                auto* cb = new QCheckBox;
                connectEditor = [=, this] {
                    connect(cb, &QCheckBox::toggled, this, [commit](bool b) { commit(b); });
                };
                row.editor = cb;
            } else if (f.kind == FieldKind::integer) {
                auto* sb = new RangeSpinBox<QSpinBox>(refuse);
                sb->setRange(int(std::max(-2e9, info.min)), int(std::min(2e9, info.max)));
                sb->setKeyboardTracking(false);
                connectEditor = [=, this] {
                    connect(sb, &QSpinBox::valueChanged, this, [commit](int x) { commit(x); });
                };
                row.editor = sb;
            } else if (f.kind == FieldKind::real) {
                auto* sb = new RangeSpinBox<QDoubleSpinBox>(refuse);
                const double x = v.is_number() ? v.get<double>() : 0;
                int dec = 4;
                if (x != 0 && std::abs(x) < 1e-2)
                    dec = std::max(dec, int(-std::floor(std::log10(std::abs(x)))) + 3);
                // Enough decimals for the range's ends too (Adam's beta2 stops at 0.999999): a
                // spin box rounds its limits to its decimals. Open bounds just above 0 are not
                // shown.
                for (const double end : {info.min, info.max})
                    while (std::isfinite(end) && std::abs(end) >= 1e-6 && dec < 10 &&
                           std::abs(std::round(end * std::pow(10.0, dec)) / std::pow(10.0, dec) -
                                    end) > 1e-12 * std::max(1.0, std::abs(end)))
                        ++dec;
                sb->setDecimals(std::min(dec, 10));
                sb->setRange(info.min, info.max);
                sb->setSingleStep(x != 0 ? std::pow(10.0, std::floor(std::log10(std::abs(x))) - 1)
                                         : 0.01);
                sb->setKeyboardTracking(false);
                connectEditor = [=, this] {
                    connect(sb, &QDoubleSpinBox::valueChanged, this,
                            [commit](double d) { commit(d); });
                };
                row.editor = sb;
            } else if (f.kind == FieldKind::choice) {
                auto* cb = new QComboBox;
                cb->addItems(info.choices);
                connectEditor = [=, this] {
                    connect(cb, &QComboBox::textActivated, this,
                            [commit](const QString& s) { commit(s.toStdString()); });
                };
                row.editor = cb;
            } else {
                auto* le = new QLineEdit; // lists and text: JSON as typed, e.g. [0.25, 1]
                connectEditor = [=, this] {
                    connect(le, &QLineEdit::editingFinished, this, [le, commit] {
                        const std::string text = le->text().toStdString();
                        commit(nlohmann::json::accept(text) ? nlohmann::json::parse(text)
                                                            : nlohmann::json(text));
                    });
                };
                row.editor = le;
            }
            row.editor->setObjectName(path);
            row.editor->setToolTip(info.tooltip);
            auto* badge = new QLabel(f.live ? "<span style='color:#1a7f37'>●</span>"
                                            : "<span style='color:#888'>●</span>");
            badge->setToolTip(f.live ? "live: applies while training, marked on the charts"
                                     : "structural: needs a reset");
            auto* field = new QWidget;
            auto* fl = new QGridLayout(field);
            fl->setContentsMargins(0, 0, 0, 0);
            fl->addWidget(row.editor, 0, 0);
            fl->addWidget(new QLabel(info.unit), 0, 1);
            fl->addWidget(badge, 0, 2);
            fl->setColumnStretch(0, 1);
            row.error = new QLabel;
            row.error->setWordWrap(true);
            row.error->setStyleSheet("color: #b00020;");
            row.error->hide();
            fl->addWidget(row.error, 1, 0, 1, 3);
            auto* label = new QLabel(info.label);
            label->setToolTip(info.tooltip);
            form->addRow(label, field);
            setEditorValue(row, v);
            connectEditor();
            rows_.insert(path, row);
        }
    }
}

void ParameterPanel::setEditorValue(Row& row, const nlohmann::json& v) {
    row.value = v;
    QSignalBlocker block(row.editor);
    if (auto* cb = qobject_cast<QCheckBox*>(row.editor))
        cb->setChecked(v.is_boolean() && v.get<bool>());
    else if (auto* sb = qobject_cast<QSpinBox*>(row.editor))
        sb->setValue(v.is_number() ? v.get<int>() : 0);
    else if (auto* db = qobject_cast<QDoubleSpinBox*>(row.editor))
        db->setValue(v.is_number() ? v.get<double>() : 0);
    else if (auto* co = qobject_cast<QComboBox*>(row.editor))
        co->setCurrentText(QString::fromStdString(v.is_string() ? v.get<std::string>() : v.dump()));
    else if (auto* le = qobject_cast<QLineEdit*>(row.editor))
        le->setText(QString::fromStdString(v.is_string() ? v.get<std::string>() : v.dump()));
}

QWidget* ParameterPanel::editor(const QString& path) const {
    const auto it = rows_.find(path);
    return it == rows_.end() ? nullptr : it->editor;
}

QString ParameterPanel::errorText(const QString& path) const {
    const auto it = rows_.find(path);
    return it == rows_.end() || !it->error || it->error->isHidden() ? QString() : it->error->text();
}

QString ParameterPanel::inPanelWords(QString error) const {
    // Longest paths first: "device.g_max_uS" must not be caught by a shorter path it contains.
    QStringList paths = rows_.keys();
    std::sort(paths.begin(), paths.end(),
              [](const QString& a, const QString& b) { return a.size() > b.size(); });
    for (const QString& p : paths)
        if (const QString label = rows_.value(p).label; !label.isEmpty())
            error.replace(p, "“" + label + "”");
    return error;
}

void ParameterPanel::showVerdict(const QString& path, const QString& given) {
    const QString error = inPanelWords(given);
    auto it = rows_.find(path);
    if (it == rows_.end()) {
        // Not a field's own error (applying the pending edits): show it in the pending bar.
        if (!error.isEmpty())
            pendingText_->setText("<span style='color:#b00'>" + error.toHtmlEscaped() + "</span>");
        return;
    }
    it->error->setText(error);
    it->error->setVisible(!error.isEmpty());
    if (!error.isEmpty()) setEditorValue(*it, it->value); // back to the value in force
}

void ParameterPanel::applyValue(const QString& path, const nlohmann::json& value) {
    controller_->edit(path, value);
    // An accepted structural edit is the field's value from now on (pending).
    if (rows_.contains(path) && controller_->pendingPaths().contains(path) &&
        errorText(path).isEmpty())
        rows_[path].value = value;
}

void ParameterPanel::updatePendingBar() {
    const QStringList& pending = controller_->pendingPaths();
    pendingBar_->setVisible(!pending.isEmpty());
    if (!pending.isEmpty())
        pendingText_->setText(QString("%1 structural change(s) pending: %2")
                                  .arg(pending.size())
                                  .arg(pending.join(", ")));
}

} // namespace cbl::ui
