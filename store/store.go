// Package store keeps applications, their report versions, accounts, the
// audit log and the uploaded originals. One SQL code path serves two
// databases: embedded SQLite (modernc.org/sqlite, pure Go) in a data
// directory, the default, and PostgreSQL (pgx v5) when a postgres:// URL is
// configured, so that serve and worker processes on several machines share
// everything through that one URL.
package store

import (
	"context"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/shenbao/shenbao"
)

// Roles of an account.
const (
	RoleClerk    = "clerk"    // uploads, reads the applications they uploaded
	RoleReviewer = "reviewer" // reads all, corrects fields, accepts or dismisses findings
	RoleAdmin    = "admin"    // everything, plus users, deletion and rechecks
)

// ValidRole reports whether r is one of the roles above.
func ValidRole(r string) bool { return r == RoleClerk || r == RoleReviewer || r == RoleAdmin }

// Application statuses.
const (
	StatusQueued     = "queued"     // waiting for the extract job
	StatusProcessing = "processing" // an extract job is reading the file (OCR for scans)
	StatusChecking   = "checking"   // the extract job is running the checks on what it read
	StatusDone       = "done"       // a current report exists
	StatusFailed     = "failed"     // the extract job gave up; ErrorCode says why
)

// Statuses lists the application statuses in the order an application
// passes through them.
func Statuses() []string {
	return []string{StatusQueued, StatusProcessing, StatusChecking, StatusDone, StatusFailed}
}

// Unfinished reports whether status is one an extract job has yet to end.
func Unfinished(status string) bool { return slices.Contains(unfinished(), status) }

// unfinished lists the statuses of an application whose extract job has
// not ended.
func unfinished() []string { return []string{StatusQueued, StatusProcessing, StatusChecking} }

// Report kinds: what produced a report version.
const (
	KindExtract    = "extract"    // read from the original
	KindCheck      = "check"      // checks re-run on the previous version (recheck)
	KindCorrection = "correction" // a reviewer changed a value, checks re-run
)

// Dialects.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// Store is what the API and the queue need from storage. Open returns the
// SQL implementation for SQLite or PostgreSQL.
type Store interface {
	Dialect() string
	// DataDir is the SQLite data directory ("" on PostgreSQL).
	DataDir() string
	// DatabaseURL is the PostgreSQL URL ("" on SQLite).
	DatabaseURL() string
	Ping(ctx context.Context) error
	Close() error

	CreateUser(ctx context.Context, name, role, passwordHash string) (*User, error)
	UserByName(ctx context.Context, name string) (*User, error)
	Users(ctx context.Context) ([]User, error)
	// UserByName and UserByToken find enabled accounts only; a revoked or
	// expired token finds none.
	CreateToken(ctx context.Context, userID int64, name, hash string, expires *time.Time, by Actor) (int64, error)
	UserByToken(ctx context.Context, hash string) (*User, error)
	// SetDisabled disables or enables the named account; SetPassword
	// changes its password hash; EndSessions signs it out everywhere. All
	// three move the account's session version on, so that every session
	// cookie issued before stops working, and write the audit log.
	SetDisabled(ctx context.Context, name string, disabled bool, by Actor) error
	SetPassword(ctx context.Context, name, hash string, by Actor) error
	EndSessions(ctx context.Context, userID int64, by Actor) error
	// Tokens lists the tokens of the user with id userID (0: everyone's),
	// revoked and expired ones included; RevokeToken ends one.
	Tokens(ctx context.Context, userID int64) ([]Token, error)
	RevokeToken(ctx context.Context, id int64, by Actor) error

	PutOriginal(ctx context.Context, sha256 string, r io.Reader) error
	Original(ctx context.Context, sha256 string) ([]byte, error)
	// HasOriginal reports whether the original is stored. An upload checks
	// it after recording its application: the last application of the same
	// bytes may have been deleted, and the original with it, between
	// PutOriginal and CreateApplication; once the application is recorded
	// the original can no longer go, and storing it again is safe.
	HasOriginal(ctx context.Context, sha256 string) (bool, error)
	// ReleaseOriginal deletes the original if no application refers to
	// it: an upload that stored it and then failed calls it.
	ReleaseOriginal(ctx context.Context, sha256 string) error
	// SweepOriginals deletes the originals no application refers to that
	// were stored more than grace ago, and, when retain > 0, the originals
	// of applications all finished and uploaded more than retain ago (the
	// applications and their reports stay). It returns how many it deleted.
	SweepOriginals(ctx context.Context, grace, retain time.Duration) (int, error)

	CreateApplication(ctx context.Context, a NewApplication, by Actor) (app *Application, created bool, err error)
	Application(ctx context.Context, id int64) (*Application, error)
	Applications(ctx context.Context, f Filter) ([]Application, int, error)
	ApplicationIDs(ctx context.Context, f Filter) ([]int64, error)
	Unfinished(ctx context.Context) ([]Application, error)
	CanRead(ctx context.Context, u *User, appID int64) (bool, error)
	SetStatus(ctx context.Context, id int64, status, code, message string) error
	// Claim moves an application to processing for the extract job that
	// calls it, unless another job holds it (processing or checking with
	// a heartbeat newer than stale) or it is done; Touch is that job's
	// heartbeat.
	Claim(ctx context.Context, id int64, stale time.Duration) (bool, error)
	Touch(ctx context.Context, id int64) error
	Requeue(ctx context.Context, id int64, by Actor) (bool, error)
	DeleteApplication(ctx context.Context, id int64, by Actor) error
	CountByStatus(ctx context.Context) (map[string]int, error)

	SaveReport(ctx context.Context, r SaveReport) (version int, err error)
	// SaveReports stores many report versions in one transaction (a
	// re-check's batch). An item whose application moved past its
	// BaseVersion (ErrConflict) or is gone (ENOTFOUND) is skipped with its
	// error in errs. jobID, when set, is recorded on the first stored
	// report: a second call with the same job stores nothing and returns
	// ErrJobDone, so a retried job's batch is written once.
	SaveReports(ctx context.Context, jobID *int64, rs []SaveReport) (errs []error, err error)
	JobDone(ctx context.Context, jobID int64) (bool, error)
	Report(ctx context.Context, appID int64, version int) (*ReportVersion, error)
	// LatestReports returns the current report of each application of
	// appIDs that has one, by application id.
	LatestReports(ctx context.Context, appIDs []int64) (map[int64]*ReportVersion, error)
	Versions(ctx context.Context, appID int64) ([]ReportVersion, error)

	SetReview(ctx context.Context, appID int64, key, decision, reason string, by Actor) error
	// SetReviewed signs the application off as reviewed at report version
	// version, the one the reviewer saw: ErrConflict if it is no longer
	// the current version. Version 0 withdraws the sign-off. Both are
	// written to the audit log with the note.
	SetReviewed(ctx context.Context, appID int64, version int, note string, by Actor) error
	Reviews(ctx context.Context, appID int64) ([]Review, error)
	Audit(ctx context.Context, e AuditEntry) error
	AuditLog(ctx context.Context, appID int64) ([]AuditEntry, error)

	CreateRecheck(ctx context.Context, filter string, appIDs []int64, by Actor) (int64, error)
	Recheck(ctx context.Context, id int64) (*Recheck, error)
	SetRecheckItem(ctx context.Context, recheckID, appID int64, state string) error
}

// User is an account.
type User struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
	// SessionVersion is carried in session cookies; a cookie with another
	// version is void.
	SessionVersion int64 `json:"-"`
}

// Token is an API token as listed (never the token itself: only its hash
// is stored).
type Token struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	User      string     `json:"user"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Active reports whether the token still authenticates (its user's
// account aside).
func (t Token) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || t.ExpiresAt.After(now))
}

// Actor says who did something; the zero Actor is the system (a job).
type Actor struct {
	ID   int64
	Name string
}

// ActorOf returns the actor for u, the system actor for nil.
func ActorOf(u *User) Actor {
	if u == nil {
		return Actor{Name: "system"}
	}
	return Actor{ID: u.ID, Name: u.Name}
}

// NewApplication is an upload to record.
type NewApplication struct {
	SHA256   string
	Filename string
	Size     int64
	MIME     string
	Batch    string
	Region   string
}

// Application is one upload of a file by one uploader (the same bytes
// uploaded by two people are two applications sharing one stored
// original) and the summary of its current report.
type Application struct {
	ID           int64     `json:"id"`
	SHA256       string    `json:"sha256"`
	Filename     string    `json:"filename"`
	Size         int64     `json:"size"`
	MIME         string    `json:"mime"`
	Batch        string    `json:"batch"`
	Region       string    `json:"region"`
	Status       string    `json:"status"`
	ErrorCode    string    `json:"error_code,omitempty"`
	ErrorMessage string    `json:"error_message,omitempty"`
	Format       string    `json:"format,omitempty"`
	Edition      string    `json:"edition,omitempty"`
	Year         int       `json:"year,omitempty"`
	ClusterName  string    `json:"cluster_name,omitempty"`
	Errors       int       `json:"errors"`
	Warnings     int       `json:"warnings"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	// ReviewedVersion is the report version a reviewer signed off (0:
	// none); ReviewedBy and ReviewedAt say who and when. A sign-off of an
	// older version stays here until it is withdrawn or renewed, so that
	// the page can say the report changed since.
	ReviewedVersion int        `json:"reviewed_version"`
	ReviewedBy      string     `json:"reviewed_by,omitempty"`
	ReviewedAt      *time.Time `json:"reviewed_at,omitempty"`
	// Repairs counts the values of the current report the corrections
	// stage changed after reading (its repairs).
	Repairs int `json:"repairs"`
}

// Reviewed reports whether a reviewer signed off the current report
// version: a correction or a re-check after the sign-off undoes it. (A
// value receiver, so that templates can call it on any Application.)
func (a Application) Reviewed() bool {
	return a.ReviewedVersion > 0 && a.ReviewedVersion == a.Version
}

// Filter selects applications. Zero members do not filter.
type Filter struct {
	Status    string `json:"status,omitempty"`
	Edition   string `json:"edition,omitempty"`
	Region    string `json:"region,omitempty"`
	Batch     string `json:"batch,omitempty"`
	Year      int    `json:"year,omitempty"`
	HasErrors *bool  `json:"has_errors,omitempty"`
	// Reviewed selects the applications signed off at their current
	// version (Application.Reviewed), or, false, the others.
	Reviewed *bool  `json:"reviewed,omitempty"`
	Query    string `json:"q,omitempty"` // substring of 集群名称
	// UploadedBy restricts to applications the user uploaded (clerks).
	UploadedBy int64 `json:"-"`
	Limit      int   `json:"-"`
	Offset     int   `json:"-"`
}

// SaveReport is a new report version to store.
type SaveReport struct {
	AppID int64
	// BaseVersion is the version the report was derived from; saving fails
	// with ErrConflict if the current version moved on meanwhile.
	// -1 accepts any.
	BaseVersion int
	Kind        string
	// JobID makes saving idempotent: a second save with the same job id
	// stores nothing and returns ErrJobDone.
	JobID     *int64
	By        Actor
	Report    *shenbao.Report
	Audit     *AuditEntry // written in the same transaction
	RecheckID int64       // marks the recheck item done in the same transaction
}

// ReportVersion is one stored report.
type ReportVersion struct {
	ApplicationID int64           `json:"application_id"`
	Version       int             `json:"version"`
	Kind          string          `json:"kind"`
	CreatedBy     string          `json:"created_by"`
	CreatedAt     time.Time       `json:"created_at"`
	Report        *shenbao.Report `json:"report"`
}

// Review is a reviewer's decision on a finding.
type Review struct {
	FindingKey string    `json:"finding_key"`
	Decision   string    `json:"decision"`
	Reason     string    `json:"reason"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// AuditEntry is one write in the audit log.
type AuditEntry struct {
	At            time.Time `json:"at"`
	UserID        int64     `json:"-"`
	UserName      string    `json:"user"`
	Action        string    `json:"action"`
	ApplicationID int64     `json:"application_id,omitempty"`
	Detail        any       `json:"detail"`
}

// Recheck is the progress of a POST /recheck run.
type Recheck struct {
	ID        int64     `json:"id"`
	Filter    string    `json:"filter"`
	Total     int       `json:"total"`
	Queued    int       `json:"queued"`
	Done      int       `json:"done"`
	Failed    int       `json:"failed"`
	CreatedAt time.Time `json:"created_at"`
}

// Recheck item states.
const (
	ItemQueued = "queued"
	ItemDone   = "done"
	ItemFailed = "failed"
)

var (
	// ErrConflict is returned by SaveReport when the base version is
	// stale, and by SetReviewed when the signed-off version is.
	ErrConflict = &shenbao.Error{Code: shenbao.ECONFLICT, Message: "报告已被他人更新，请刷新后重试。/ The report was changed by someone else; reload and try again."}
	// ErrJobDone is returned by SaveReport when the job already saved.
	ErrJobDone = errors.New("job already saved its report")
)

func notFound(what string) error {
	return shenbao.Errorf(shenbao.ENOTFOUND, "未找到%s。/ No such %s.", zhName[what], what)
}

var zhName = map[string]string{
	"application": "该申报材料",
	"report":      "该报告版本",
	"user":        "该用户",
	"original":    "原始文件",
	"recheck":     "该复核任务",
	"token":       "该令牌",
}
