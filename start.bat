@echo off
rem CaptionForge: set up .venv on first use, then run the app. Options: start.bat --help
rem Installs the pinned set in constraints.txt (refresh it with lock.sh); a newer constraints.txt reinstalls.
cd /d "%~dp0"
where py >nul 2>nul && (set PY=py -3) || (set PY=python)
if not exist ".venv\Scripts\python.exe" (
  echo First start: creating .venv ...
  %PY% -m venv .venv || (echo CaptionForge needs Python 3.10 or newer from python.org & exit /b 1)
)
set EXTRAS=
echo %* | findstr /C:"--native" >nul && set EXTRAS=[native]
set STAMP=.venv\.installed%EXTRAS%
set NEWEST=none
if exist "%STAMP%" (
  rem dir /o:d lists oldest first: the last name is the newest of the three
  for /f "delims=" %%i in ('dir /b /o:d pyproject.toml constraints.txt "%STAMP%"') do set NEWEST=%%i
)
if not "%NEWEST%"==".installed%EXTRAS%" (
  ".venv\Scripts\python.exe" -m pip install --quiet -c constraints.txt -e ".%EXTRAS%" || exit /b 1
  type nul > "%STAMP%"
)
".venv\Scripts\python.exe" main.py %*
